"""Web app (gradio): five tabs over `Assistant`, the calculator and the briefing; no domain logic here."""
