#!/usr/bin/env bash
# Build a local stand-in for the AWS Lambda Python 3.13 base image
# (public.ecr.aws/lambda/python:3.13-<arch>) so that `sam local invoke`,
# `sam local start-api` and `sam local start-lambda` work without access to
# public container registries.
#
# It is tagged hyperoru.invalid/lambda-python:3.13-<arch>, and :3.13 for this
# machine's architecture (what samconfig.toml's invoke_image names), never under
# the official name: the real image stays recognisable wherever it is pulled.
# `.invalid` is a reserved domain that never resolves, so Docker can pull
# nothing under that name: the image can only be the one this script built.
# A stand-in that an earlier version of this script tagged under the official
# name is untagged from it.
#
# The image is a Debian trixie (python3.13) userland made with debootstrap,
# with awslambdaric + boto3 unpacked into /var/runtime and the same layout,
# environment and entrypoint that SAM CLI relies on. See README.md next to
# this script.
#
# Usage: scripts/lambda-image/build.sh [--force] [--no-cache]
#   --force     rebuild and re-import even if the image tag already exists
#   --no-cache  also redo debootstrap (ignore the cached base root filesystem)
#
# Environment:
#   LAMBDA_IMAGE_CACHE         cache dir (default ~/.cache/hyperoru-lambda-image)
#   LAMBDA_IMAGE_MIRROR        Debian mirror URL (default: from the host's apt config)
#   LAMBDA_IMAGE_PIP_PACKAGES  packages for /var/runtime (default "awslambdaric boto3";
#                              pin versions here, e.g. "awslambdaric==4.2.2 boto3==1.40.0")
#   LAMBDA_IMAGE_RIE           path to an aws-lambda-rie binary to put at
#                              /usr/local/bin/aws-lambda-rie (default: the one
#                              shipped with the `sam` found on PATH, if any)
#   LAMBDA_IMAGE_COMPILE       1 (default) = precompile /var/runtime to .pyc
#   LAMBDA_IMAGE_DEBOOTSTRAP_OPTS  extra debootstrap options (e.g. "--no-check-gpg")
#   PYTHON                     host python used for `pip download` (default python3)
#
# Needs root (debootstrap, chroot), debootstrap, a running docker daemon
# (see dockerd.sh) and network access to a Debian mirror and to PyPI.
set -euo pipefail

PY_MINOR=3.13
SUITE=trixie
# Bump when the root filesystem recipe changes, to invalidate cached base tarballs.
BASE_RECIPE=1
INCLUDE_PKGS=python3,ca-certificates,tzdata

umask 022
export PATH="${PATH}:/usr/local/sbin:/usr/sbin:/sbin"
export LC_ALL=C

SCRIPT_START=$SECONDS
STEP_START=$SECONDS

log() { printf '[lambda-image] %s\n' "$*"; }
die() { printf '[lambda-image] ERROR: %s\n' "$*" >&2; exit 1; }
step() {
    STEP_START=$SECONDS
    log "==> $*"
}
step_done() { log "    done in $((SECONDS - STEP_START))s"; }

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

FORCE=0
NO_CACHE=0
for arg in "$@"; do
    case "$arg" in
        --force) FORCE=1 ;;
        --no-cache) NO_CACHE=1; FORCE=1 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $arg" ;;
    esac
done

# --- 1. architecture ---------------------------------------------------------
machine=$(uname -m)
case "$machine" in
    x86_64|amd64)  TAG_ARCH=x86_64; DEB_ARCH=amd64; PIP_PLATFORM=manylinux2014_x86_64 ;;
    aarch64|arm64) TAG_ARCH=arm64;  DEB_ARCH=arm64; PIP_PLATFORM=manylinux2014_aarch64 ;;
    *) die "unsupported architecture: $machine" ;;
esac
IMAGE_REPO=hyperoru.invalid/lambda-python
IMAGE="$IMAGE_REPO:${PY_MINOR}-${TAG_ARCH}"
HOST_ALIAS="$IMAGE_REPO:${PY_MINOR}"
OFFICIAL="public.ecr.aws/lambda/python:${PY_MINOR}-${TAG_ARCH}"
STANDIN_LABEL=io.hyperoru.lambda-standin
log "host architecture $machine -> image $IMAGE (debootstrap arch $DEB_ARCH, pip platform $PIP_PLATFORM)"

# --- 2. docker + early exit --------------------------------------------------
command -v docker >/dev/null 2>&1 || die "docker CLI not found (run scripts/lambda-image/dockerd.sh start)"
docker info >/dev/null 2>&1 || die "docker daemon not reachable (run scripts/lambda-image/dockerd.sh start)"

image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }

# Earlier versions tagged the stand-in under the official name, where sam and readers take it for
# the real image. Untag it there (the image itself stays under its own name, if it has one).
if [ "$(docker image inspect --format "{{index .Config.Labels \"$STANDIN_LABEL\"}}" "$OFFICIAL" 2>/dev/null || true)" = true ]; then
    log "untagging an older stand-in from the official name $OFFICIAL"
    docker image rm "$OFFICIAL" "public.ecr.aws/lambda/python:${PY_MINOR}-rapid-${TAG_ARCH}" >/dev/null 2>&1 || true
fi

OLD_IMAGE_ID=$(image_id "$IMAGE")
if [ -n "$OLD_IMAGE_ID" ] && [ "$FORCE" -eq 0 ]; then
    if [ "$(image_id "$HOST_ALIAS")" != "$OLD_IMAGE_ID" ]; then
        docker tag "$IMAGE" "$HOST_ALIAS"
        log "tagged $IMAGE as $HOST_ALIAS"
    fi
    log "image $IMAGE already present (${OLD_IMAGE_ID:7:12}); nothing to do (use --force to rebuild)"
    log "total time: $((SECONDS - SCRIPT_START))s"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap and chroot need it)"
for tool in debootstrap chroot tar flock findmnt sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install -y debootstrap; dockerd.sh start installs it)"
done
PYTHON=${PYTHON:-python3}
"$PYTHON" -m pip --version >/dev/null 2>&1 || die "$PYTHON -m pip is not available on the host"

CACHE=${LAMBDA_IMAGE_CACHE:-${HOME:-/root}/.cache/hyperoru-lambda-image}
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock -w 1800 9 || die "could not lock $CACHE/.lock"

WORK=$(mktemp -d "$CACHE/build.XXXXXX")
ROOTFS="$WORK/rootfs"

unmount_under() {
    # debootstrap mounts proc/sys inside the target; never rm -rf across a mount.
    local dir=$1 m
    [ -d "$dir" ] || return 0
    findmnt -rn -o TARGET | awk -v p="$dir/" 'index($0, p) == 1' | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
cleanup() {
    local rc=$?
    unmount_under "$WORK"
    rm -rf --one-file-system "$WORK"
    if [ "$rc" -ne 0 ]; then
        log "FAILED (exit $rc) after $((SECONDS - SCRIPT_START))s"
    fi
}
trap cleanup EXIT

# --- 3. Debian trixie base root filesystem (cached) --------------------------
detect_mirror() {
    if [ -n "${LAMBDA_IMAGE_MIRROR:-}" ]; then
        printf '%s\n' "${LAMBDA_IMAGE_MIRROR%/}"
        return
    fi
    local url=""
    if [ -r /etc/apt/sources.list.d/debian.sources ]; then
        # deb822: first URIs of a stanza whose Suites are not *-security.
        url=$(awk '
            function flush() { if (uris != "" && suites !~ /-security/ && types ~ /(^| )deb( |$)/ && found == "") found = uris; uris = ""; suites = ""; types = "" }
            /^[[:space:]]*$/ { flush(); next }
            /^[[:space:]]*#/ { next }
            tolower($1) == "types:"  { types = ""; for (i = 2; i <= NF; i++) types = types " " $i; types = types " " }
            tolower($1) == "uris:"   { uris = $2 }
            tolower($1) == "suites:" { suites = $0 }
            END { flush(); print found }' /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$url" ] && [ -r /etc/apt/sources.list ]; then
        url=$(awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                                  if ($(i+1) !~ /-security/) { print $i; exit } }' /etc/apt/sources.list)
    fi
    printf '%s\n' "${url:-http://deb.debian.org/debian}" | sed 's:/*$::'
}

clean_rootfs() {
    local r=$1
    rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/cache/apt/*.bin \
           "$r"/var/lib/apt/lists/* "$r"/var/cache/debconf/*-old \
           "$r"/usr/share/doc/* "$r"/usr/share/man/* "$r"/usr/share/info/* \
           "$r"/usr/share/locale/* "$r"/usr/share/lintian "$r"/usr/share/linda \
           "$r"/var/log/apt/* "$r"/var/log/bootstrap.log "$r"/var/log/alternatives.log \
           "$r"/tmp/* "$r"/var/tmp/*
    : >"$r/var/log/dpkg.log"
    # docker bind-mounts these at run time; do not leak the build host's values.
    : >"$r/etc/resolv.conf"
    : >"$r/etc/hostname"
    rm -f "$r/etc/machine-id"
    # Keep later `apt-get install` inside a container from bringing docs back.
    mkdir -p "$r/etc/dpkg/dpkg.cfg.d"
    cat >"$r/etc/dpkg/dpkg.cfg.d/01-lambda-standin-nodoc" <<'EOF'
path-exclude=/usr/share/doc/*
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/doc/*/copyright
EOF
    # The real image runs with LANG=en_US.UTF-8. Debian minbase only has the
    # built-in C.UTF-8 locale; alias it so setlocale("") does not fail.
    ln -sfn C.utf8 "$r/usr/lib/locale/en_US.utf8"
}

MIRROR=$(detect_mirror)
BASE_KEY=$(printf '%s|%s|%s|%s' "$SUITE" "$DEB_ARCH" "$INCLUDE_PKGS" "$BASE_RECIPE" | sha256sum | cut -c1-12)
BASE_TAR="$CACHE/rootfs-$SUITE-$DEB_ARCH-$BASE_KEY.tar"

if [ -f "$BASE_TAR" ] && [ "$NO_CACHE" -eq 0 ]; then
    step "unpacking cached base rootfs $BASE_TAR"
    mkdir -p "$ROOTFS"
    tar --numeric-owner -xpf "$BASE_TAR" -C "$ROOTFS"
    step_done
else
    run_debootstrap() {
        local mirror=$1
        unmount_under "$ROOTFS"
        rm -rf --one-file-system "$ROOTFS"
        log "    debootstrap --variant=minbase --arch=$DEB_ARCH --include=$INCLUDE_PKGS $SUITE $ROOTFS $mirror"
        log "    (log: $WORK/debootstrap.log)"
        # shellcheck disable=SC2086 # extra options are a word list on purpose
        debootstrap --variant=minbase --arch="$DEB_ARCH" --include="$INCLUDE_PKGS" \
            ${LAMBDA_IMAGE_DEBOOTSTRAP_OPTS:-} "$SUITE" "$ROOTFS" "$mirror" >"$WORK/debootstrap.log" 2>&1
    }
    step "debootstrap Debian $SUITE ($DEB_ARCH) from $MIRROR"
    if ! run_debootstrap "$MIRROR"; then
        tail -n 20 "$WORK/debootstrap.log" >&2 || true
        if [ "$MIRROR" != "http://deb.debian.org/debian" ] && [ -z "${LAMBDA_IMAGE_MIRROR:-}" ]; then
            log "    debootstrap from $MIRROR failed; retrying with http://deb.debian.org/debian"
            MIRROR=http://deb.debian.org/debian
            run_debootstrap "$MIRROR" || { tail -n 20 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
        else
            die "debootstrap failed"
        fi
    fi
    unmount_under "$ROOTFS"
    clean_rootfs "$ROOTFS"
    tar --numeric-owner -C "$ROOTFS" -cf "$BASE_TAR.tmp" .
    mv -f "$BASE_TAR.tmp" "$BASE_TAR"
    log "    cached base rootfs as $BASE_TAR ($(du -sh "$BASE_TAR" | cut -f1))"
    step_done
fi

PY_VERSION=$(chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/bin:/bin LANG=C.UTF-8 /usr/bin/python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
case "$PY_VERSION" in
    "$PY_MINOR".*) log "rootfs python: $PY_VERSION" ;;
    *) die "rootfs python is $PY_VERSION, expected $PY_MINOR.x" ;;
esac

# --- 4. runtime wheels (downloaded on the host, unpacked into /var/runtime) ---
PIP_PACKAGES=${LAMBDA_IMAGE_PIP_PACKAGES:-awslambdaric boto3}
WHEELS="$WORK/wheels"
WHEELS_CACHE="$CACHE/wheels-cp${PY_MINOR/./}-$TAG_ARCH"
step "pip download ($PIP_PACKAGES) for cp${PY_MINOR/./} $PIP_PLATFORM"
mkdir -p "$WHEELS"
# shellcheck disable=SC2086 # PIP_PACKAGES is a word list on purpose
if "$PYTHON" -m pip download --disable-pip-version-check --quiet \
        --only-binary=:all: --python-version "$PY_MINOR" --implementation cp \
        --platform "$PIP_PLATFORM" --dest "$WHEELS" $PIP_PACKAGES 2>"$WORK/pip.log"; then
    rm -rf "$WHEELS_CACHE.tmp"
    cp -a "$WHEELS" "$WHEELS_CACHE.tmp"
    rm -rf "$WHEELS_CACHE"
    mv "$WHEELS_CACHE.tmp" "$WHEELS_CACHE"
elif [ -d "$WHEELS_CACHE" ] && [ "$NO_CACHE" -eq 0 ]; then
    grep -v 'is ignored' "$WORK/pip.log" | tail -n 5 >&2 || true
    log "    WARNING: pip download failed; reusing the last downloaded set from $WHEELS_CACHE"
    rm -rf "$WHEELS"
    cp -a "$WHEELS_CACHE" "$WHEELS"
else
    grep -v 'is ignored' "$WORK/pip.log" | tail -n 20 >&2 || true
    die "pip download failed"
fi
for w in "$WHEELS"/*.whl; do log "    $(basename "$w")"; done
step_done

step "unpacking wheels into /var/runtime"
mkdir -p "$ROOTFS/var/runtime"
"$PYTHON" - "$ROOTFS/var/runtime" "$WHEELS"/*.whl <<'PYEOF'
import os, pathlib, shutil, sys, zipfile

dest = pathlib.Path(sys.argv[1]).resolve()
seen = {}
for whl in sys.argv[2:]:
    name = os.path.basename(whl)
    dist = name.split("-")[0].lower().replace("_", "-").replace(".", "-")
    if dist in seen:
        sys.exit(f"two versions of {dist}: {seen[dist]} and {name}")
    seen[dist] = name
    with zipfile.ZipFile(whl) as zf:
        for info in zf.infolist():
            parts = info.filename.split("/")
            if parts[0].endswith(".data"):
                # purelib/platlib go to the import root; scripts/headers/data are not needed.
                if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
                    continue
                parts = parts[2:]
            rel = "/".join(parts)
            target = (dest / rel).resolve()
            if target != dest and dest not in target.parents:
                sys.exit(f"{name}: refusing to write outside /var/runtime: {info.filename}")
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            mode = (info.external_attr >> 16) & 0o777
            os.chmod(target, 0o755 if mode & 0o111 else 0o644)
PYEOF
step_done

# --- 5. Lambda base-image layout ----------------------------------------------
step "writing Lambda layout (/var/runtime/bootstrap, /lambda-entrypoint.sh, /var/task, /opt)"
mkdir -p "$ROOTFS/var/task" "$ROOTFS/opt" "$ROOTFS/var/lang/bin" "$ROOTFS/usr/local/bin"
# The real image keeps its interpreter under /var/lang/bin; provide the same names.
ln -sfn /usr/bin/python$PY_MINOR "$ROOTFS/var/lang/bin/python$PY_MINOR"
ln -sfn python$PY_MINOR "$ROOTFS/var/lang/bin/python3"
ln -sfn python$PY_MINOR "$ROOTFS/var/lang/bin/python"

cat >"$ROOTFS/var/runtime/bootstrap" <<EOF
#!/bin/sh
# Runtime bootstrap of the local python$PY_MINOR stand-in image (scripts/lambda-image).
# Started by the Runtime Interface Emulator (SAM CLI: /var/rapid/aws-lambda-rie)
# with AWS_LAMBDA_RUNTIME_API and _HANDLER set.
export AWS_EXECUTION_ENV="\${AWS_EXECUTION_ENV:-AWS_Lambda_python$PY_MINOR}"
# Same precedence as Lambda: function code, then layers, then runtime libraries.
export PYTHONPATH="/var/task:/opt/python/lib/python$PY_MINOR/site-packages:/opt/python:/var/runtime\${PYTHONPATH:+:\$PYTHONPATH}"
handler="\${_HANDLER:-\${1:-}}"
if [ -z "\$handler" ]; then
    echo "bootstrap: no handler (_HANDLER is empty)" >&2
    exit 1
fi
if [ -n "\${AWS_LAMBDA_EXEC_WRAPPER:-}" ]; then
    exec "\$AWS_LAMBDA_EXEC_WRAPPER" /usr/bin/python3 -m awslambdaric "\$handler"
fi
exec /usr/bin/python3 -m awslambdaric "\$handler"
EOF
chmod 755 "$ROOTFS/var/runtime/bootstrap"

cat >"$ROOTFS/lambda-entrypoint.sh" <<'EOF'
#!/bin/sh
# Entrypoint of the local Lambda stand-in image. Same contract as the real base
# images: one argument, the handler. Without AWS_LAMBDA_RUNTIME_API (plain
# `docker run -p 9000:8080 IMAGE app.handler`) the bundled Runtime Interface
# Emulator serves the invoke API on :8080 and starts the bootstrap; under a
# Lambda service / emulator the bootstrap is started directly.
if [ "$#" -ne 1 ]; then
    echo "lambda-entrypoint.sh: expected exactly one argument, the handler (e.g. app.lambda_handler)" >&2
    exit 142
fi
export _HANDLER="$1"
if [ -z "${AWS_LAMBDA_RUNTIME_API:-}" ]; then
    if [ ! -x /usr/local/bin/aws-lambda-rie ]; then
        echo "lambda-entrypoint.sh: /usr/local/bin/aws-lambda-rie is not in this image; use sam local invoke" >&2
        exit 127
    fi
    exec /usr/local/bin/aws-lambda-rie /var/runtime/bootstrap
fi
exec /var/runtime/bootstrap
EOF
chmod 755 "$ROOTFS/lambda-entrypoint.sh"

find_rie() {
    if [ -n "${LAMBDA_IMAGE_RIE:-}" ]; then
        printf '%s\n' "$LAMBDA_IMAGE_RIE"
        return 0
    fi
    # The RIE ships inside the aws-sam-cli package (samcli/local/rapid/).
    local sam py dir candidates=("$PYTHON")
    if sam=$(command -v sam 2>/dev/null); then
        py=$(head -n 1 "$sam" | sed -n 's/^#![[:space:]]*//p' | awk '{print $1}')
        [ -n "$py" ] && [ -x "$py" ] && candidates=("$py" "$PYTHON")
    fi
    for py in "${candidates[@]}"; do
        dir=$("$py" -c 'import os, samcli; print(os.path.join(os.path.dirname(samcli.__file__), "local", "rapid"))' 2>/dev/null) || continue
        if [ -f "$dir/aws-lambda-rie-$TAG_ARCH" ]; then
            printf '%s\n' "$dir/aws-lambda-rie-$TAG_ARCH"
            return 0
        fi
    done
    return 1
}
if RIE=$(find_rie) && [ -f "$RIE" ]; then
    install -m 755 "$RIE" "$ROOTFS/usr/local/bin/aws-lambda-rie"
    log "    bundled RIE from $RIE as /usr/local/bin/aws-lambda-rie"
    RIE_NOTE="bundled from $(basename "$RIE")"
else
    log "    no aws-lambda-rie found (no sam on PATH, LAMBDA_IMAGE_RIE unset): image works with sam local, not with plain docker run"
    RIE_NOTE="not bundled"
fi

RUNTIME_PKGS=""
for w in "$WHEELS"/*.whl; do
    w=$(basename "$w")
    RUNTIME_PKGS+="$(printf '%s' "$w" | cut -d- -f1-2) "
done
cat >"$ROOTFS/var/runtime/LAMBDA_STANDIN_INFO" <<EOF
Local stand-in for $OFFICIAL, tagged $IMAGE (built by scripts/lambda-image/build.sh)
built: $(date -u +%Y-%m-%dT%H:%M:%SZ)
userland: Debian $SUITE ($DEB_ARCH) from $MIRROR
python: $PY_VERSION (/usr/bin/python3)
/var/runtime: $RUNTIME_PKGS
aws-lambda-rie: $RIE_NOTE
EOF
step_done

if [ "${LAMBDA_IMAGE_COMPILE:-1}" = 1 ]; then
    step "precompiling /var/runtime with python $PY_VERSION (faster cold starts)"
    chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/bin:/bin LANG=C.UTF-8 /usr/bin/python3 -m compileall -q -q /var/runtime
    step_done
fi

# --- 6. docker import -------------------------------------------------------------
step "docker import -> $IMAGE"
BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
NEW_IMAGE_ID=$(tar --numeric-owner -C "$ROOTFS" \
        --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf - . |
    docker import \
        --change 'ENV LANG=en_US.UTF-8' \
        --change 'ENV TZ=:/etc/localtime' \
        --change 'ENV PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin' \
        --change 'ENV LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib' \
        --change 'ENV LAMBDA_TASK_ROOT=/var/task' \
        --change 'ENV LAMBDA_RUNTIME_DIR=/var/runtime' \
        --change 'WORKDIR /var/task' \
        --change 'ENTRYPOINT ["/lambda-entrypoint.sh"]' \
        --change "LABEL $STANDIN_LABEL=true $STANDIN_LABEL.python=$PY_VERSION $STANDIN_LABEL.userland=debian-$SUITE org.opencontainers.image.created=$BUILD_DATE" \
        --message "local stand-in for $OFFICIAL (scripts/lambda-image/build.sh)" \
        - "$IMAGE")
docker tag "$IMAGE" "$HOST_ALIAS"
log "    tagged $IMAGE and $HOST_ALIAS"
step_done

# With --invoke-image, SAM CLI derives "<repo>:rapid-<arch>" (and samcli/lambda-python:3.13-<arch>-<hash>
# for functions with layers, whatever the base) from the base image and reuses them when they exist
# and --skip-pull-image is given. Drop stale ones (also those of a base image removed by hand)
# so the new base image is actually used.
if [ "$OLD_IMAGE_ID" != "$NEW_IMAGE_ID" ]; then
    step "removing images derived from an earlier base image"
    for ref in $(docker image ls --format '{{.Repository}}:{{.Tag}}' \
            --filter "reference=${IMAGE_REPO}:rapid-${TAG_ARCH}" \
            --filter "reference=samcli/lambda-python:${PY_MINOR}-${TAG_ARCH}-*"); do
        log "    docker image rm $ref"
        docker image rm -f "$ref" >/dev/null || true
    done
    if [ -n "$OLD_IMAGE_ID" ] && docker image rm "$OLD_IMAGE_ID" >/dev/null 2>&1; then
        log "    removed old base image ${OLD_IMAGE_ID:7:12}"
    fi
    step_done
fi

step "smoke test"
docker run --rm --network none -e PYTHONPATH=/var/runtime --entrypoint /usr/bin/python3 "$IMAGE" -c '
import sys, awslambdaric, boto3, botocore
print("python", sys.version.split()[0], "| boto3", boto3.__version__, "| botocore", botocore.__version__)' |
    sed 's/^/[lambda-image]     /'
step_done

log "built $IMAGE (${NEW_IMAGE_ID:7:12}), size $(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1000/1000}')"
log "total time: $((SECONDS - SCRIPT_START))s"
