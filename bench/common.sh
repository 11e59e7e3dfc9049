# Shared by the bench scripts (sourced, after they set `port`): builds the release
# binary ($bin), makes a temporary folder ($tmp) that is removed on exit together with
# the server, and starts and stops `kaohe serve`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release -p kaohe --quiet
bin=$PWD/target/release/kaohe
tmp=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# serve ARGS…: starts `kaohe serve ARGS…` on $port (its log in $tmp/serve.log) and
# returns once it serves its login page; stops the script if the server exits first.
serve() {
  "$bin" serve "$@" --addr "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
  server=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/login"; do
    kill -0 "$server" 2>/dev/null || { cat "$tmp/serve.log" >&2; exit 1; }
    sleep 0.005
  done
}

stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }
