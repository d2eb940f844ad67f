# Sourced by bench/webhook/run.sh: the receivers, on 127.0.0.1 only, each
# run as an unprivileged user (nobody when the bench runs as root) from a
# folder of its own that the caller makes and removes.
#   receiver_dir DIR             makes DIR usable by that user
#   free_port                    a TCP port nothing listens on
#   nginx_start DIR PORT         nginx from Debian, its own config in DIR:
#                                POST /hook answered 200 (return 200), one
#                                access-log line per request
#   nginx_requests DIR           requests in that access log
#   python_start DIR PORT        test/tools/webhook_server.py, answering as
#                                DIR/mode says; one JSON line per request in
#                                DIR/requests.jsonl
#   python_requests DIR          requests logged
#   receiver_stop PID            stops one receiver and waits for it
#   receivers_stop               stops every receiver started (the EXIT trap)
receiver_pids=()
# a prefix, not a function: started with &, $! is then the receiver itself
if [ "$(id -u)" -eq 0 ]; then
  as_receiver=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
  receiver_dir() { chown nobody:nogroup "$1"; }
else
  as_receiver=()
  receiver_dir() { :; }
fi

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {   # wait_port PORT PID: until something accepts on PORT (PID must stay up)
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "receiver on port $1 exited" >&2; return 1; }
    sleep 0.1
  done
  echo "receiver on port $1 did not start" >&2
  return 1
}

nginx_start() {   # sets nginx_pid
  local dir=$1 port=$2
  mkdir -p "$dir/nginx"
  cat >"$dir/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
worker_rlimit_nofile 20000;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 16384; }
http {
  access_log $dir/nginx/access.log;
  client_body_temp_path $dir/nginx/body;
  proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fastcgi;
  uwsgi_temp_path $dir/nginx/uwsgi;
  scgi_temp_path $dir/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location = /hook { return 200; }
  }
}
CONF
  receiver_dir "$dir/nginx"
  "${as_receiver[@]}" /usr/sbin/nginx -e "$dir/nginx/error.log" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" &
  nginx_pid=$!
  receiver_pids+=("$nginx_pid")
  wait_port "$port" "$nginx_pid"
}

nginx_requests() {
  if [ -f "$1/nginx/access.log" ]; then wc -l <"$1/nginx/access.log"; else echo 0; fi
}

python_start() {   # sets python_pid
  local dir=$1 port=$2
  [ -f "$dir/webhook_server.py" ] || cp "$(dirname "${BASH_SOURCE[0]}")/../../test/tools/webhook_server.py" "$dir/"
  [ -f "$dir/mode" ] || echo 200 >"$dir/mode"
  touch "$dir/requests.jsonl"
  receiver_dir "$dir/requests.jsonl"
  "${as_receiver[@]}" /usr/bin/python3 "$dir/webhook_server.py" "$port" "$dir/mode" "$dir/requests.jsonl" bench-secret &
  python_pid=$!
  receiver_pids+=("$python_pid")
  wait_port "$port" "$python_pid"
}

python_requests() {
  wc -l <"$1/requests.jsonl"
}

receiver_stop() {
  local p kept=()
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  for p in "${receiver_pids[@]}"; do [ "$p" = "$1" ] || kept+=("$p"); done
  receiver_pids=("${kept[@]}")
}

receivers_stop() {
  while [ ${#receiver_pids[@]} -gt 0 ]; do receiver_stop "${receiver_pids[0]}"; done
}
