#!/bin/bash
# Runs once inside a freshly debootstrapped lab base (systemd-nspawn, not booted) to make it
# look like Raspberry Pi OS Lite where orbis cares. Per-host details (host keys, machine id,
# hostname, authorised keys, lab CA) are written later, per host, on the overlay.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

# Package lists in the base: a fresh host can `apt-get install` at once, as a Pi can after
# its first `apt update`.
apt-get update -q

# Raspberry Pi OS's account: `pi`, uid 1000, passwordless sudo (its 010_pi-nopasswd file).
useradd --create-home --shell /bin/bash --uid 1000 --user-group pi
for group in adm dialout cdrom sudo audio video plugdev games users input render netdev; do
  if getent group "$group" >/dev/null; then usermod -aG "$group" pi; fi
done
# '*' = no password login, yet not "locked" ('!'), which would also refuse SSH keys.
usermod -p '*' pi
printf 'pi ALL=(ALL) NOPASSWD: ALL\n' >/etc/sudoers.d/010_pi-nopasswd
chmod 0440 /etc/sudoers.d/010_pi-nopasswd
visudo -cq

install -d -m 0700 /root/.ssh
install -d -m 0700 -o pi -g pi /home/pi/.ssh

# Host keys are generated per host: hosts sharing the base's keys would make every
# host-key test meaningless.
rm -f /etc/ssh/ssh_host_*

# Every host gets its own machine id at creation.
: >/etc/machine-id

apt-get clean
