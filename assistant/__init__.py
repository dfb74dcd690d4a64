"""政策助手: a Chinese assistant over the 曲阜市 优质均衡 plan, with verbatim citations and an indicator calculator."""
