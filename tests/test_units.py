import pytest

from assistant.domain.units import find_units, load_units, unit_names

# Every unit with the colloquial names people use for it (the alias table is data; this checks it).
COLLOQUIAL = {
    "市政府办公室": ["市政府办", "政府办公室"],
    "市人力资源和社会保障局": ["人社局"],
    "市委编办": ["编办"],
    "市委宣传部": ["宣传部"],
    "市发展和改革局": ["发改局", "发改委"],
    "市教育和体育局": ["教育局", "教体局"],
    "市公安局": ["公安", "派出所", "警察"],
    "市民政局": ["民政局"],
    "市财政局": ["财政局", "财政部门", "市财政"],
    "市自然资源和规划局": ["自然资源局", "规划局"],
    "市住房和城乡建设局": ["住建局"],
    "市文化和旅游局": ["文旅局"],
    "市卫生健康局": ["卫健局", "卫生部门"],
    "市应急管理局": ["应急局"],
    "市市场监督管理局": ["市场监管局", "市监局"],
    "市综合行政执法局": ["执法局", "城管"],
    "市交通运输局": ["交通局"],
    "市农业农村局": ["农业农村局", "农业局"],
    "市妇联": ["妇联"],
    "市残联": ["残联"],
    "各镇街": ["镇街", "乡镇", "街道"],
}


def test_table_covers_the_21_annex_units():
    assert unit_names() == list(COLLOQUIAL)
    assert len(load_units()) == 21


@pytest.mark.parametrize("unit, alias", [(u, a) for u, aliases in COLLOQUIAL.items() for a in aliases])
def test_every_alias_resolves(unit, alias):
    assert [u.name for u in find_units(f"我是{alias}的，我们要做什么？")] == [unit]


def test_longest_alias_wins_and_order_is_kept():
    assert [u.name for u in find_units("市市场监管局和市委宣传部")] == ["市市场监督管理局", "市委宣传部"]
    assert find_units("今天天气怎么样") == []
