"""Bad input gets a typed exception that says what and where, and the exceptions pickle."""

from __future__ import annotations

import pickle

import pytest

import newsprep
from newsprep import Gazetteer, GazetteerError, InputError, NewsprepError


def test_hierarchy() -> None:
    assert issubclass(NewsprepError, ValueError)
    assert issubclass(GazetteerError, NewsprepError)
    assert issubclass(InputError, NewsprepError)
    assert GazetteerError.__module__ == "newsprep.exceptions"


def test_missing_id_names_line_and_field(tmp_path) -> None:
    path = tmp_path / "gaz.jsonl"
    path.write_text(
        '{"id": "a", "label": "PLACE", "name": "Kyiv"}\n\n{"label": "PLACE", "name": "Lviv"}\n',
        encoding="utf-8",
    )
    with pytest.raises(GazetteerError) as info:
        Gazetteer.from_jsonl(path)
    err = info.value
    assert err.line == 3
    assert str(path) in str(err)
    assert "line 3" in str(err)


def test_invalid_json_line(tmp_path) -> None:
    path = tmp_path / "gaz.jsonl"
    path.write_text('{"id": "a", "label": "PLACE", "name": "Kyiv"}\n{not json\n', encoding="utf-8")
    with pytest.raises(GazetteerError, match="line 2"):
        Gazetteer.from_jsonl(path)


def test_record_that_is_not_a_mapping() -> None:
    with pytest.raises(GazetteerError, match="records line 2"):
        Gazetteer.from_records([{"id": "a", "label": "L", "name": "x"}, ["not", "a", "dict"]])


def test_missing_file_is_file_not_found(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="nope.jsonl"):
        Gazetteer.from_jsonl(tmp_path / "nope.jsonl")


def test_csv_missing_column(tmp_path) -> None:
    path = tmp_path / "gaz.csv"
    path.write_text("id,name\nx,Kyiv\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="label"):
        Gazetteer.from_csv(path)


def test_zero_threads_is_input_error() -> None:
    with pytest.raises(InputError, match="threads"):
        newsprep.clean_many(["a"], threads=0)
    gaz = Gazetteer.from_records([{"id": "a", "label": "L", "name": "Kyiv"}])
    with pytest.raises(InputError):
        gaz.tag_many(["Kyiv"], threads=0)


def test_non_str_items_are_type_errors() -> None:
    with pytest.raises(TypeError, match="str"):
        newsprep.clean_many(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        newsprep.clean(b"bytes")  # type: ignore[arg-type]


def test_gazetteer_constructor_is_guarded() -> None:
    with pytest.raises(TypeError, match="from_records"):
        Gazetteer("not a core gazetteer")  # type: ignore[arg-type]


def test_exceptions_pickle() -> None:
    try:
        Gazetteer.from_records([{"label": "PLACE", "name": "Kyiv"}])
    except GazetteerError as e:
        again = pickle.loads(pickle.dumps(e))
        assert type(again) is GazetteerError
        assert str(again) == str(e)
    else:  # pragma: no cover
        pytest.fail("no error")
