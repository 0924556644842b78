import pytest

from jiesu.core.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812341234", "138****1234"),
        (" 13812341234 ", "138****1234"),
        ("010-65123456", "010****3456"),
        ("1234567", "*****67"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_phone_keeps_prefix_and_last_four(raw: str, masked: str) -> None:
    assert mask_phone(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"), [("张三", "张*"), ("欧阳娜娜", "欧***"), ("张", "*"), ("", ""), (" 李四 ", "李*")]
)
def test_mask_name_keeps_the_first_character(raw: str, masked: str) -> None:
    assert mask_name(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("110105199001011234", "110105********1234"),
        ("11010519900101123X", "110105********123X"),
        ("G1234567", "****4567"),
        ("123", "***"),
        ("", ""),
    ],
)
def test_mask_id_number_keeps_region_and_last_four(raw: str, masked: str) -> None:
    assert mask_id_number(raw) == masked
