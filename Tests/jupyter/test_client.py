"""The rlhf kernel with jupyter_client by hand: interrupting a long training, messages a
kernel must drop without dying, restart and clean shutdown, and the latency of a trivial cell."""
import os
import signal
import statistics
import tempfile
import time
import unittest

from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

from common import run_cell


def start(test):
    """A kernel whose stderr is kept in a file, so a test can read the one-line reports."""
    log = tempfile.NamedTemporaryFile(mode="w+", suffix=".log", delete=False)
    km, kc = start_new_kernel(kernel_name="rlhf", stderr=log)
    test.addCleanup(os.unlink, log.name)
    test.addCleanup(log.close)
    return km, kc, log


def stop(km, kc):
    kc.stop_channels()
    if km.is_alive():
        km.shutdown_kernel(now=True)


class InterruptTests(unittest.TestCase):
    def setUp(self):
        self.km, self.kc, self.log = start(self)

    def tearDown(self):
        stop(self.km, self.kc)

    def start_training(self):
        """Starts `pretrain 100000` and waits for its first step line on IOPub."""
        reply, _ = run_cell(self.kc, ":new policy")
        self.assertEqual(reply["content"]["status"], "ok")
        msg_id = self.kc.execute("pretrain 100000")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            msg = self.kc.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream" and "pretrain step" in msg["content"]["text"]:
                return msg_id
        self.fail("pretrain printed no step line within 30 s")

    def finish_interrupted(self, msg_id, started):
        reply = self.kc.get_shell_msg(timeout=10)
        seconds = time.monotonic() - started
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertLess(seconds, 2.0, f"the execute_reply came {seconds:.2f} s after the interrupt")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        texts = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=10)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "execute_result":
                texts.append(msg["content"]["data"]["text/plain"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        self.assertTrue(any("stopped by Ctrl-C" in t for t in texts), texts)
        return seconds

    def test_sigint_stops_training_and_the_session_goes_on(self):
        msg_id = self.start_training()
        started = time.monotonic()
        self.km.interrupt_kernel()   # interrupt_mode "signal": SIGINT to the kernel
        seconds = self.finish_interrupted(msg_id, started)
        print(f"\n  interrupt (SIGINT) -> execute_reply in {seconds * 1000:.0f} ms", end=" ")
        reply, messages = run_cell(self.kc, ":models")
        self.assertEqual(reply["content"]["status"], "ok")
        result = [m for m in messages if m["msg_type"] == "execute_result"]
        self.assertIn("policy", result[0]["content"]["data"]["text/plain"])
        # three more SIGINTs while idle (the terminal's "third press exits") do not end the kernel
        for _ in range(3):
            os.kill(self.km.provisioner.process.pid, signal.SIGINT)
            time.sleep(0.05)
        reply, _ = run_cell(self.kc, ":show seed")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertTrue(self.km.is_alive())

    def test_interrupt_request_on_control(self):
        msg_id = self.start_training()
        started = time.monotonic()
        request = self.kc.session.msg("interrupt_request", {})
        self.kc.control_channel.send(request)
        control_reply = self.kc.control_channel.get_msg(timeout=5)
        self.assertEqual(control_reply["msg_type"], "interrupt_reply")
        self.finish_interrupted(msg_id, started)
        reply, _ = run_cell(self.kc, ":models")
        self.assertEqual(reply["content"]["status"], "ok")


class OutputTests(unittest.TestCase):
    def test_training_streams_its_lines_and_updates_one_progress_display(self):
        km, kc, _ = start(self)
        self.addCleanup(stop, km, kc)
        reply, messages = run_cell(kc, ":new policy\npretrain 40")
        self.assertEqual(reply["content"]["status"], "ok")
        kinds = [m["msg_type"] for m in messages]
        streams = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
        self.assertIn("pretrain step 1 ", streams)
        self.assertIn("pretrain step 40 ", streams)
        shown = [m for m in messages if m["msg_type"] == "display_data" and m["content"].get("transient")]
        self.assertEqual(len(shown), 1, kinds)
        display_id = shown[0]["content"]["transient"]["display_id"]
        updates = [m for m in messages if m["msg_type"] == "update_display_data"]
        self.assertGreaterEqual(len(updates), 1, kinds)
        self.assertTrue(all(m["content"]["transient"]["display_id"] == display_id for m in updates))
        self.assertIn("40/40", updates[-1]["content"]["data"]["text/plain"])
        self.assertEqual(kinds[-2], "execute_result", kinds)


class QueueTests(unittest.TestCase):
    def test_cells_queued_after_a_failing_cell_are_aborted(self):
        km, kc, _ = start(self)
        self.addCleanup(stop, km, kc)
        failing = kc.execute(":frobnicate")
        queued = kc.execute(":show seed")
        replies = {}
        for _ in range(2):
            reply = kc.get_shell_msg(timeout=10)
            replies[reply["parent_header"]["msg_id"]] = reply["content"]["status"]
        self.assertEqual(replies, {failing: "error", queued: "aborted"})
        while True:   # the kernel is busy with the failed cell until its idle status
            msg = kc.get_iopub_msg(timeout=10)
            if msg["parent_header"].get("msg_id") == failing and msg["content"].get("execution_state") == "idle":
                break
        reply, _ = run_cell(kc, ":show seed")   # a cell sent after that runs
        self.assertEqual(reply["content"]["status"], "ok")
        no_stop = kc.execute(":frobnicate", stop_on_error=False)
        after = kc.execute(":show seed")
        statuses = [kc.get_shell_msg(timeout=10)["content"]["status"] for _ in range(2)]
        self.assertEqual(statuses, ["error", "ok"])
        del no_stop, after


class BadInputTests(unittest.TestCase):
    def test_dropped_messages_leave_the_kernel_answering(self):
        km, kc, log = start(self)
        self.addCleanup(stop, km, kc)
        socket = kc.shell_channel.socket
        header = kc.session.msg_header("execute_request")
        # signed with the wrong key
        Session(key=b"not-the-key").send(socket, "execute_request", content={"code": ":show seed"})
        # frames that are not a message, bad JSON, a missing content field, an unknown type, a huge frame
        socket.send_multipart([b"hello"])
        socket.send_multipart([b"<IDS|MSG>", b"", b"{not json", b"{}", b"{}", b"{}"])
        kc.session.send(socket, "execute_request", content={"silent": False})
        kc.session.send(socket, "no_such_request", content={})
        socket.send_multipart([b"<IDS|MSG>", b"x", b"{}", b"{}", b"{}", b"{}", b"\0" * (17 << 20)])
        del header
        reply, messages = run_cell(kc, ":show seed")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(reply["content"]["execution_count"], 1, "a dropped execute_request must not count")
        self.assertTrue(km.is_alive())
        time.sleep(0.2)
        log.flush()
        with open(log.name) as f:
            lines = [line for line in f.read().splitlines() if line.startswith("rlhf kernel:")]
        self.assertTrue(any("bad signature" in line for line in lines), lines)
        self.assertTrue(any("not valid JSON" in line or "bad signature" in line for line in lines), lines)
        self.assertTrue(any("no_such_request" in line for line in lines), lines)
        self.assertTrue(any("without a code" in line for line in lines), lines)
        self.assertTrue(any("over the limit" in line for line in lines), lines)
        self.assertTrue(any("delimiter" in line for line in lines), lines)


class LifecycleTests(unittest.TestCase):
    def test_restart_keeps_answering_and_shutdown_is_clean(self):
        km, kc, _ = start(self)
        self.addCleanup(stop, km, kc)
        run_cell(kc, ":seed 7")
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=30)
        reply, messages = run_cell(kc, ":show seed")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(reply["content"]["execution_count"], 1, "a restarted kernel starts a new session")
        process = km.provisioner.process
        started = time.monotonic()
        km.shutdown_kernel(now=False)
        seconds = time.monotonic() - started
        self.assertFalse(km.is_alive())
        self.assertEqual(process.poll(), 0, "the kernel should exit by itself with status 0")
        self.assertLess(seconds, 5)


class LatencyTests(unittest.TestCase):
    def test_trivial_cell_round_trip(self):
        km, kc, _ = start(self)
        self.addCleanup(stop, km, kc)
        run_cell(kc, ":show seed")
        times = []
        for _ in range(100):
            started = time.perf_counter()
            reply, _ = run_cell(kc, ":show seed")
            times.append(time.perf_counter() - started)
            self.assertEqual(reply["content"]["status"], "ok")
        median = statistics.median(times) * 1000
        print(f"\n  round trip of `:show seed` (execute -> reply and idle), median of 100: {median:.2f} ms"
              f" (min {min(times) * 1000:.2f}, max {max(times) * 1000:.2f})", end=" ")
        self.assertLess(median, 100)


if __name__ == "__main__":
    unittest.main()
