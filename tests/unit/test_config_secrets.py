"""Secrets generated into instance/ (the secret key, the link key): made once, whole, the same for
every process that starts at the same moment."""

import multiprocessing
import os
import stat

import pytest

from hepbuilder.config import generated_secret, link_key, load_settings


def _read_secret(directory: str, name: str, queue) -> None:
    from pathlib import Path

    queue.put(generated_secret(Path(directory), name))


def _read_settings_secret_key(directory: str, _name: str, queue) -> None:
    os.environ["HEPBUILDER_INSTANCE_DIR"] = directory
    os.environ.pop("HEPBUILDER_SECRET_KEY", None)
    queue.put(load_settings().secret_key)


@pytest.mark.parametrize(
    "name, read",
    [
        ("link_key", _read_secret),
        ("secret_key", _read_secret),
        ("secret_key", _read_settings_secret_key),
    ],
)
def test_processes_racing_on_first_start_all_read_the_same_whole_key(tmp_path, name, read):
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=read, args=(str(tmp_path), name, queue)) for _ in range(8)]
    for process in processes:
        process.start()
    keys = [queue.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert len(set(keys)) == 1 and len(keys[0]) >= 64
    files = sorted(p.name for p in tmp_path.iterdir())
    assert name in files and not [f for f in files if f.endswith(".tmp")]  # no temporary files
    assert (tmp_path / name).read_text().strip() == keys[0]
    assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600


def test_link_key_comes_from_the_environment_or_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("HEPBUILDER_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("HEPBUILDER_LINK_KEY", raising=False)
    generated = link_key()
    assert (tmp_path / "link_key").read_text().strip() == generated == link_key()
    monkeypatch.setenv("HEPBUILDER_LINK_KEY", "from-the-environment")
    assert link_key() == "from-the-environment"
