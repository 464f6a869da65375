"""The batched read_json path stores exactly what the line-by-line path stores, and hands any
file it cannot vouch for to the line path (which quarantines line by line)."""

from __future__ import annotations

import gzip
import json

import duckdb

from orchestration.ingestion import gateway
from orchestration.sample_data import WorldParams, generate_world

from .test_ingestion_safety import kong_line

COMPARED = "* exclude (_loaded_at)"


def write_gz(path, lines: list[str]) -> None:
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))


def line_path_table(tmp_path, files) -> duckdb.DuckDBPyConnection:
    """The same files through load_file one by one, in name order (the reference)."""
    con = duckdb.connect(str(tmp_path / "line_path.duckdb"))
    for path in files:
        gateway.load_file(con, path)
    return con


def differences(fast: duckdb.DuckDBPyConnection, reference_file) -> tuple[int, int]:
    fast.execute(f"attach '{reference_file}' as ref (read_only)")
    try:
        return tuple(
            fast.execute(f"select count(*) from (select {COMPARED} from {a} "
                         f"except all select {COMPARED} from {b})").fetchone()[0]
            for a, b in (("raw.gateway_requests", "ref.raw.gateway_requests"),
                         ("ref.raw.gateway_requests", "raw.gateway_requests")))
    finally:
        fast.execute("detach ref")


def test_batches_equal_the_line_path_on_a_generated_world(warehouse, tmp_path):
    world = tmp_path / "world"
    generate_world(world, WorldParams(consumers=30, days=6, requests_per_day=800))
    files = gateway.log_files([world / "gateway"])
    assert len(files) == 6 and all(f.name.endswith(".gz") for f in files)
    assert [len(b) for _, b in gateway._fast_batches(files, None)] == [6]

    result = gateway.load_files(warehouse, [world / "gateway"])
    reference = line_path_table(tmp_path, files)
    stored = reference.execute("select count(*) from raw.gateway_requests").fetchone()[0]
    reference.close()
    assert result.loaded == {"gateway_requests": stored} and result.rejected == 0
    assert differences(warehouse, tmp_path / "line_path.duckdb") == (0, 0)

    # Loading the same files again (one batch) changes nothing.
    gateway.load_files(warehouse, [world / "gateway"])
    assert warehouse.execute("select count(*) from raw.gateway_requests").fetchone()[0] == stored


def test_a_bad_file_takes_the_line_path_and_the_others_stay_fast(warehouse, tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    day1, day2, day3 = (logs / f"2026-09-0{d}.log.gz" for d in (1, 2, 3))
    write_gz(day1, [kong_line(i, day=1) for i in range(1, 6)])
    write_gz(day2, [kong_line(1, day=2), '{"request": {"id": "cut"', kong_line(2, day=2)])
    # A line shipped twice lands in the next day's file too: stored once.
    write_gz(day3, [kong_line(i, day=3) for i in range(1, 4)] + [kong_line(5, day=1)])

    assert gateway.load_json_batch(warehouse, [day1, day2, day3], "kong") is None
    assert warehouse.execute("select count(*) from raw.gateway_requests").fetchone()[0] == 0

    result = gateway.load_files(warehouse, [logs])
    assert result.loaded == {"gateway_requests": 5 + 2 + 3}
    rejects = warehouse.execute("select source_file, line, reason from raw.gateway_rejects").fetchall()
    assert [(r[0].endswith("2026-09-02.log.gz"), r[1]) for r in rejects] == [(True, 2)]
    assert "not a kong access log record" in rejects[0][2]

    reference = line_path_table(tmp_path, [day1, day2, day3])
    reference.close()
    assert differences(warehouse, tmp_path / "line_path.duckdb") == (0, 0)


def test_differing_repeats_of_a_request_id_keep_the_first_line(warehouse, tmp_path):
    first = json.loads(kong_line(1))
    second = {**first, "response": {"status": 503, "size": 10}}
    path = tmp_path / "2026-09-01.log.gz"
    write_gz(path, [json.dumps(first), kong_line(2), json.dumps(second)])

    # read_json has no line numbers, so the batch path declines and the line path decides.
    assert gateway.load_json_batch(warehouse, [path], "kong") is None
    gateway.load_files(warehouse, [path])
    assert warehouse.execute(
        "select status from raw.gateway_requests where request_id = 'req-1-1'").fetchall() == [(200,)]


def test_missing_request_ids_take_the_line_path(warehouse, tmp_path):
    line = json.loads(kong_line(1))
    del line["request"]["id"]
    path = tmp_path / "2026-09-01.log"
    path.write_text(json.dumps(line) + "\n" + kong_line(2) + "\n")

    assert gateway.load_json_batch(warehouse, [path], "kong") is None
    gateway.load_files(warehouse, [path])
    # The line path names the request after its file and line, so a reload keeps one row.
    gateway.load_files(warehouse, [path])
    ids = [r[0] for r in warehouse.execute(
        "select request_id from raw.gateway_requests order by ts").fetchall()]
    assert len(ids) == 2 and ids[1] == "req-1-2" and len(ids[0]) == 32


def test_repeated_lines_in_one_batch_are_stored_once_like_the_line_path(warehouse, tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    day1, day2 = logs / "2026-09-01.log.gz", logs / "2026-09-02.log.gz"
    # Request 1-2 is shipped twice within day 1, and again into day 2's file.
    write_gz(day1, [kong_line(1, day=1), kong_line(2, day=1), kong_line(2, day=1)])
    write_gz(day2, [kong_line(1, day=2), kong_line(2, day=1), kong_line(2, day=2)])

    loads = gateway.load_json_batch(warehouse, [day1, day2], "kong")
    reference = duckdb.connect(str(tmp_path / "line_path.duckdb"))
    expected = [gateway.load_file(reference, path)[0] for path in (day1, day2)]
    reference.close()
    assert [(x.lines, x.loaded, x.duplicates) for x in loads] == [(3, 2, 1), (3, 2, 0)]
    assert [(x.lines, x.loaded, x.duplicates) for x in loads] == \
        [(x.lines, x.loaded, x.duplicates) for x in expected]
    assert differences(warehouse, tmp_path / "line_path.duckdb") == (0, 0)

    # Loaded in the other order, day 2's copy of 1-2 is stored first, so day 1 keeps only
    # its other request, exactly as the line path decides.
    fast = duckdb.connect(str(tmp_path / "fast_reversed.duckdb"))
    reference = duckdb.connect(str(tmp_path / "line_path_reversed.duckdb"))
    fast_loads = [gateway.load_json_batch(fast, [path], "kong")[0] for path in (day2, day1)]
    expected = [gateway.load_file(reference, path)[0] for path in (day2, day1)]
    reference.close()
    assert [(x.loaded, x.duplicates) for x in fast_loads] == \
        [(x.loaded, x.duplicates) for x in expected] == [(3, 0), (1, 1)]
    assert differences(fast, tmp_path / "line_path_reversed.duckdb") == (0, 0)
    assert fast.execute("select count(*), count(distinct request_id)"
                        " from raw.gateway_requests").fetchone() == (4, 4)
