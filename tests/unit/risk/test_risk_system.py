"""Risk table: system administration.

Services, kernel settings, mounts, users, network setup, clock, processes, signals.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.contract.risk import Risk
from lamtui.safety.risk import classify_command

ROWS: list[tuple[str, Risk]] = [
    # --- read-only: system information -------------------------------------------------------
    ("date", "read_only"),
    ("date +%s", "read_only"),
    ("date -d 'next week' +%F", "read_only"),
    ("hostname", "read_only"),
    ("ps aux | grep python", "read_only"),
    ("mount", "read_only"),
    ("ip addr", "read_only"),
    ("ip addr show", "read_only"),
    ("ip route", "read_only"),
    ("ip link show", "read_only"),
    ("systemctl status nginx", "read_only"),
    ("kill -l", "read_only"),
    ("crontab -l", "read_only"),
    ("sysctl -a", "read_only"),
    ("dmesg | tail", "read_only"),
    ("journalctl -u nginx", "read_only"),
    # --- unknown: code the classifier cannot see ---------------------------------------------
    ("crontab jobs.txt", "unknown"),
    # --- destructive -------------------------------------------------------------------------
    ("mkfs.ext4 /dev/sdb1", "destructive"),
    ("wipefs -a /dev/sdb", "destructive"),
    ("fdisk /dev/sda", "destructive"),
    ("parted /dev/sda mklabel gpt", "destructive"),
    ("crontab -r", "destructive"),
    ("kill 1234", "destructive"),
    ("kill -9 -1", "destructive"),
    ("killall python", "destructive"),
    ("pkill -f server", "destructive"),
    # --- privileged --------------------------------------------------------------------------
    ("mount /dev/sdb1 /mnt", "privileged"),
    ("umount /mnt", "privileged"),
    ("chroot /mnt", "privileged"),
    ("systemctl restart nginx", "privileged"),
    ("systemctl enable --now x", "privileged"),
    ("service nginx restart", "privileged"),
    ("useradd bob", "privileged"),
    ("userdel bob", "privileged"),
    ("passwd", "privileged"),
    ("modprobe nbd", "privileged"),
    ("insmod x.ko", "privileged"),
    ("iptables -F", "privileged"),
    ("sysctl -w net.ipv4.ip_forward=1", "privileged"),
    ("shutdown -h now", "privileged"),
    ("reboot", "privileged"),
    ("hostname newname", "privileged"),
    ("date -s '2020-01-01'", "privileged"),
    ("ip link set eth0 down", "privileged"),
]


@pytest.mark.parametrize(("command", "expected"), ROWS, ids=[repr(c)[:60] for c, _ in ROWS])
def test_classification(command: str, expected: Risk, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == expected, result.to_dict()
