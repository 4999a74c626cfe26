#!/usr/bin/env bash
# Creates (or brings up to date) the VM that hosts Drover's external runner on a Proxmox host:
# an Ubuntu cloud image, 2 vCPU, 4 GiB RAM, 40 GiB disk, on the bridge (and VLAN) you give, started on
# boot, with cloud-init installing Docker from the distribution's packages and unattended
# security upgrades. Safe to run again: an existing VM is checked and updated, never recreated.
#
# Run as root on the Proxmox host (one that runs no cluster nodes if you can):
#   ./provision-vm.sh --ssh-key ~/.ssh/id_ed25519.pub [--vmid 200] [--vlan TAG] [--ip 192.0.2.50/24 --gateway 192.0.2.1]
#   ./provision-vm.sh --help
#
# Re-running keeps the VM's network identity: the MAC address of its existing net0 is reused,
# so a DHCP reservation or a firewall rule keyed on it stays valid.
set -euo pipefail

VMID=200
NAME=drover-runner
STORAGE=local-lvm
SNIPPETS=local
BRIDGE=vmbr0
VLAN=""
CORES=2
MEMORY=4096
DISK_GB=40
IMAGE=/var/lib/vz/template/iso/noble-server-cloudimg-amd64.img
IMAGE_URL=https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img
USER_NAME=ubuntu
SSH_KEY=""
IP=dhcp
GATEWAY=""
DRY_RUN=false

usage() {
  cat <<USAGE
Usage: $0 --ssh-key FILE [options]
  --vmid N            VM id (default $VMID)
  --name NAME         VM name and hostname (default $NAME)
  --storage ID        storage for the disk and the cloud-init drive (default $STORAGE)
  --snippets ID       storage with the "snippets" content type for user-data (default $SNIPPETS)
  --bridge BRIDGE     network bridge (default $BRIDGE)
  --vlan TAG          VLAN tag (default: none, untagged)
  --cores N           vCPUs (default $CORES)
  --memory MiB        memory (default $MEMORY)
  --disk-gb N         disk size in GiB (default $DISK_GB)
  --image FILE        Ubuntu cloud image on this host (default $IMAGE)
                      download: wget -O $IMAGE $IMAGE_URL
  --user NAME         login user (default $USER_NAME)
  --ssh-key FILE      public key allowed to log in (required; passwords are disabled)
  --ip CIDR|dhcp      address (default $IP); with a CIDR also give --gateway
  --gateway ADDR      default gateway
  --dry-run           print the qm commands instead of running them
USAGE
}

die() { echo "error: $*" >&2; exit 2; }
# An option given without its value is a usage error, not an unbound-variable crash.
value() {
  if [[ $# -lt 2 || -z "$2" || "$2" == --* ]]; then
    usage >&2
    die "$1 needs a value"
  fi
  printf '%s' "$2"
}
run() {
  echo "+ $*"
  if [[ "$DRY_RUN" != true ]]; then "$@"; fi
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --vmid) VMID="$(value "$@")"; shift 2 ;;
    --name) NAME="$(value "$@")"; shift 2 ;;
    --storage) STORAGE="$(value "$@")"; shift 2 ;;
    --snippets) SNIPPETS="$(value "$@")"; shift 2 ;;
    --bridge) BRIDGE="$(value "$@")"; shift 2 ;;
    --vlan) VLAN="$(value "$@")"; shift 2 ;;
    --cores) CORES="$(value "$@")"; shift 2 ;;
    --memory) MEMORY="$(value "$@")"; shift 2 ;;
    --disk-gb) DISK_GB="$(value "$@")"; shift 2 ;;
    --image) IMAGE="$(value "$@")"; shift 2 ;;
    --user) USER_NAME="$(value "$@")"; shift 2 ;;
    --ssh-key) SSH_KEY="$(value "$@")"; shift 2 ;;
    --ip) IP="$(value "$@")"; shift 2 ;;
    --gateway) GATEWAY="$(value "$@")"; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

# Checks before anything changes.
if ! [[ "$VMID" =~ ^[0-9]+$ ]] || ((VMID < 100)); then die "--vmid must be a number >= 100"; fi
[[ "$NAME" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "--name must be a hostname"
[[ "$CORES" =~ ^[0-9]+$ && "$MEMORY" =~ ^[0-9]+$ && "$DISK_GB" =~ ^[0-9]+$ ]] || die "--cores, --memory and --disk-gb take numbers"
[[ -z "$VLAN" || "$VLAN" =~ ^[0-9]+$ ]] || die "--vlan takes a number"
[[ -n "$SSH_KEY" && -r "$SSH_KEY" ]] || die "--ssh-key FILE is required and must be readable"
grep -qE '^(ssh-|ecdsa-|sk-)' "$SSH_KEY" || die "$SSH_KEY does not look like a public key"
if [[ "$IP" != dhcp ]]; then
  [[ "$IP" =~ ^[0-9.]+/[0-9]+$ ]] || die "--ip takes dhcp or an IPv4 CIDR such as 192.0.2.50/24"
  [[ -n "$GATEWAY" ]] || die "--gateway is required with a static --ip"
fi
if [[ "$DRY_RUN" != true ]]; then
  [[ "$(id -u)" -eq 0 ]] || die "run as root on the Proxmox host"
  command -v qm >/dev/null || die "qm not found: run this on a Proxmox VE host"
  command -v pvesm >/dev/null || die "pvesm not found: run this on a Proxmox VE host"
  pvesm status --storage "$STORAGE" >/dev/null 2>&1 || die "storage $STORAGE does not exist"
  pvesm status --storage "$SNIPPETS" --content snippets 2>/dev/null | grep -q "^$SNIPPETS " ||
    die "storage $SNIPPETS does not hold snippets: pvesm set $SNIPPETS --content <existing>,snippets"
fi

# Cloud-init user data: Docker from the distribution (no third-party script piped to a shell),
# unattended security upgrades without automatic reboots, key-only SSH, the guest agent.
user_data="$(cat <<USERDATA
#cloud-config
hostname: $NAME
manage_etc_hosts: true
groups: [docker]
users:
  - name: $USER_NAME
    groups: [sudo, docker]
    shell: /bin/bash
    sudo: ALL=(ALL) NOPASSWD:ALL
    lock_passwd: true
    ssh_authorized_keys:
      - $(head -n1 "$SSH_KEY")
ssh_pwauth: false
package_update: true
package_upgrade: true
packages:
  - docker.io
  - docker-compose-v2
  - unattended-upgrades
  - qemu-guest-agent
  - git
write_files:
  - path: /etc/apt/apt.conf.d/52drover-unattended-upgrades
    content: |
      Unattended-Upgrade::Allowed-Origins { "\${distro_id}:\${distro_codename}-security"; };
      Unattended-Upgrade::AutoFixInterruptedDpkg "true";
      Unattended-Upgrade::MinimalSteps "true";
      Unattended-Upgrade::Remove-Unused-Kernel-Packages "true";
      Unattended-Upgrade::Remove-Unused-Dependencies "true";
      Unattended-Upgrade::Automatic-Reboot "false";
  - path: /etc/apt/apt.conf.d/20auto-upgrades
    content: |
      APT::Periodic::Update-Package-Lists "1";
      APT::Periodic::Unattended-Upgrade "1";
runcmd:
  - [systemctl, enable, --now, docker, qemu-guest-agent, unattended-upgrades]
  - [install, -d, -o, $USER_NAME, -g, $USER_NAME, -m, "0750", /home/$USER_NAME/drover-runner]
USERDATA
)"

# The MAC of an existing VM's net0 is kept: `qm set --net0` without one would generate a new
# address on every run, and break DHCP reservations and firewall rules keyed on it.
mac=""
if [[ "$DRY_RUN" != true ]] && qm status "$VMID" >/dev/null 2>&1; then
  mac="$(qm config "$VMID" | sed -n 's/^net0: .*virtio=\([0-9A-Fa-f:]\{17\}\).*/\1/p')"
fi
net="virtio${mac:+=$mac},bridge=$BRIDGE${VLAN:+,tag=$VLAN}"
ipconfig="ip=dhcp"
[[ "$IP" != dhcp ]] && ipconfig="ip=$IP,gw=$GATEWAY"
snippet="$NAME-user-data.yaml"

if [[ "$DRY_RUN" == true ]]; then
  echo "# user-data ($SNIPPETS:snippets/$snippet):"
  echo "$user_data"
elif qm status "$VMID" >/dev/null 2>&1; then
  existing="$(qm config "$VMID" | sed -n 's/^name: //p')"
  [[ "$existing" == "$NAME" ]] || die "VM $VMID exists and is named '$existing', not '$NAME': choose another --vmid"
  echo "VM $VMID ($NAME) exists: updating its settings"
else
  [[ -r "$IMAGE" ]] || die "no cloud image at $IMAGE (download: wget -O $IMAGE $IMAGE_URL)"
fi

if [[ "$DRY_RUN" == true ]] || ! qm status "$VMID" >/dev/null 2>&1; then
  run qm create "$VMID" --name "$NAME" --ostype l26 --cores "$CORES" --memory "$MEMORY" \
    --net0 "$net" --scsihw virtio-scsi-pci --agent enabled=1 --onboot 1
  run qm set "$VMID" --scsi0 "$STORAGE:0,import-from=$IMAGE,discard=on"
  run qm set "$VMID" --ide2 "$STORAGE:cloudinit" --boot order=scsi0 --serial0 socket --vga serial0
  run qm disk resize "$VMID" scsi0 "${DISK_GB}G"
fi

# Settings that may change between runs: applied every time (qm set is idempotent).
if [[ "$DRY_RUN" != true ]]; then
  snippet_path="$(pvesm path "$SNIPPETS:snippets/$snippet")"
  umask 077
  printf '%s\n' "$user_data" >"$snippet_path"
fi
run qm set "$VMID" --cores "$CORES" --memory "$MEMORY" --net0 "$net" --onboot 1 \
  --ipconfig0 "$ipconfig" --cicustom "user=$SNIPPETS:snippets/$snippet"

if [[ "$DRY_RUN" == true ]] || ! qm status "$VMID" | grep -q running; then
  run qm start "$VMID"
fi
echo "done: VM $VMID ($NAME). Next: ssh $USER_NAME@<address>, then follow deploy/runner/README.md."
