"""The command as installed (issue 11): `kg --version`, help with examples, `kg export --dumps`, a port in use."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from kg.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("kg 0.")


@pytest.mark.parametrize("command", ["stats", "diagram", "query", "export"])
def test_each_command_has_help_and_examples(capsys, command):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    assert "examples:" in text and f"kg {command}" in text.split("examples:")[1]
    assert "instead of standard output" in text or "the file to write" in text  # -o is explained


def test_export_dumps_writes_the_files_the_service_offers(tmp_path, capsys):
    assert main(["export", "--dumps", str(tmp_path)]) == 0
    names = sorted(path.name for path in tmp_path.iterdir())
    assert [name.rsplit(".", 1)[1] for name in names] == ["nq", "trig"]
    assert names[0].startswith("infosec-law-kg-") and names[0][:-3] == names[1][:-5]


def test_a_port_in_use_is_one_clear_message():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--port", str(port)], capture_output=True,
                              text=True, timeout=60)
    assert done.returncode == 2
    assert f"127.0.0.1:{port} is already in use" in done.stderr and "--port" in done.stderr
    assert "gunicorn" not in done.stderr.lower() and done.stderr.count("\n") == 1
