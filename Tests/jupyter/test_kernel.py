"""jupyter_kernel_test 0.7.0's protocol checks (every message validated against the v5 schema)
on the rlhf kernel, started by jupyter_client from the kernelspec that run.sh installs."""
import unittest

import jupyter_kernel_test

from common import HERE, terminal_output


class RLHFKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "rlhf"
    language_name = "rlhf"
    file_extension = ".rlhf"

    # lines inside a `:read` script print while they run: stdout and stderr streams
    # (`:new policy`, not the cell's last line, is display data)
    code_hello_world = f':new policy\n:read "{HERE}/hello.rlhf"'
    code_stderr = f':read "{HERE}/stderr.rlhf"'

    completion_samples = [
        {"text": ":sh", "matches": [":show"]},
        {"text": "pretr", "matches": ["pretrain"]},
        {"text": ":show temp", "matches": ["temperature"]},
        {"text": "pretrain 10 --verb", "matches": ["--verbose"]},
    ]
    complete_code_samples = [":show seed", "pretrain 10\n:models", "# a comment", ""]
    invalid_code_samples = ['sample "an unclosed quote']

    code_generate_error = ":frobnicate 3"

    code_execute_result = [
        {"code": ":show seed", "result": terminal_output(":show seed")},
        {"code": "# a comment first\n:show seed", "result": terminal_output(":show seed")},
        {"code": ":show temperature", "mime": "text/plain"},
    ]
    code_display_data = [{"code": ":show seed\n:show temperature", "mime": "text/plain"}]

    code_history_pattern = ":show s??d"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "pretrain"


if __name__ == "__main__":
    unittest.main()
