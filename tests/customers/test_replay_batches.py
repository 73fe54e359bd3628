"""The replay's feed batches (customers.demo.replay._batches): the merged inputs go to the bulk services in few
batches, yet a line's inputs keep their order across kinds and a batch never spans two local days."""

from datetime import datetime
from zoneinfo import ZoneInfo

from customers.demo.replay import _batches

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def item(moment, kind, line):
    return moment, 0, kind, {"line_id": line, "at": moment.isoformat()}


def shape(batches):
    return [(kind, [row["line_id"] for row in rows], last) for kind, rows, last in batches]


def test_a_closure_before_a_payment_on_its_line_is_sent_first_and_other_lines_stay_in_one_batch():
    inputs = [item(at(2, 8), "pay", 1), item(at(2, 9), "status", 2), item(at(2, 10), "pay", 3),
              item(at(2, 11), "pay", 2), item(at(2, 12), "pay", 4)]
    assert shape(_batches(inputs)) == [
        ("pay", [1, 3], at(2, 10)),      # sent when line 2's payment comes after its closure
        ("status", [2], at(2, 9)),
        ("pay", [2, 4], at(2, 12)),      # the payment after the closure, in a later batch
    ]


def test_a_batch_holds_one_local_day_and_at_most_the_chunk():
    inputs = [item(at(2, 23, 50), "pay", 1), item(at(3, 0, 10), "pay", 2), item(at(3, 9), "pay", 3),
              item(at(3, 10), "pay", 4)]
    assert shape(_batches(inputs, chunk=2)) == [("pay", [1], at(2, 23, 50)), ("pay", [2, 3], at(3, 9)),
                                                ("pay", [4], at(3, 10))]


def test_a_line_s_inputs_keep_their_order_whatever_the_mix():
    kinds = ["pay", "status", "bill"]
    inputs = [item(at(4, 1 + i // 6, (i * 7) % 60), kinds[(i * 5) % 3], i % 4) for i in range(60)]
    inputs.sort(key=lambda x: x[0])
    sent = [(row["line_id"], row["at"]) for _, rows, _ in _batches(inputs) for row in rows]
    for line in range(4):
        mine = [moment for ln, moment in sent if ln == line]
        assert mine == sorted(mine), f"line {line}'s inputs went out of order"
    assert len(sent) == len(inputs)
