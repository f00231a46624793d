from accounts.kept import Kept


def test_keep_makes_a_value_once_and_starts_again_empty_when_full():
    made = []

    def make(value):
        return lambda: made.append(value) or value

    kept = Kept(2)
    assert kept.keep("a", make(1)) == 1
    assert kept.keep("a", make(9)) == 1  # kept: not made again
    assert kept.keep("b", make(None)) is None
    assert kept.keep("b", make(9)) is None  # a kept None is kept too
    assert made == [1, None]
    assert kept.keep("c", make(3)) == 3  # full: emptied, then kept
    assert kept == {"c": 3}
