-- wrk script for every load scenario of `make bench` (bench/load.py drives it).
--
-- Parameters come from the environment, so that one script serves every scenario:
--   BENCH_PATH     the URL path to request
--   BENCH_COOKIE   the Cookie header (the demo user's session and CSRF cookies)
--   BENCH_CSRF     when set, each request is an autosave POST carrying this CSRF token
--   BENCH_TAG      makes the autosaved texts of this run differ from every other run's
--
-- An autosave must really write: the server skips a save whose text equals the stored one, so
-- each request sends a text made unique by the run's tag, the thread's number and a counter.
-- It sends no `version` (the server then takes "whatever is stored" as the base) and no tab id,
-- so no save can be refused as stale or ignored as late.
--
-- wrk counts only statuses >= 400 as errors: a 302 to the login page would pass for a success.
-- So every response is checked here: a page must answer 200, an autosave 200 with "ok": true.
-- The counters live in each thread's Lua state; done() collects them and prints one JSON line.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

local path = os.getenv("BENCH_PATH")
local csrf = os.getenv("BENCH_CSRF")
local tag = os.getenv("BENCH_TAG") or "run"

wrk.method = "GET"
wrk.path = path
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
wrk.headers["Accept-Encoding"] = "gzip"
if csrf then
  wrk.method = "POST"
  wrk.headers["X-CSRFToken"] = csrf
  wrk.headers["X-Jalon-Autosave"] = "1"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function init(args)
  counter = 0
  n_ok = 0
  n_redirect = 0
  n_conflict = 0
  n_client_error = 0
  n_server_error = 0
  n_bad_body = 0
end

if csrf then
  function request()
    counter = counter + 1
    local body = "text=bench+" .. tag .. "+" .. thread_id .. "+" .. counter
    return wrk.format(nil, nil, nil, body)
  end
end

function response(status, headers, body)
  if status == 200 then
    if csrf and not string.find(body, '"ok": true', 1, true) then
      n_bad_body = n_bad_body + 1
    else
      n_ok = n_ok + 1
    end
  elseif status >= 300 and status < 400 then
    n_redirect = n_redirect + 1
  elseif status == 409 then
    n_conflict = n_conflict + 1
  elseif status >= 500 then
    n_server_error = n_server_error + 1
  else
    n_client_error = n_client_error + 1
  end
end

function done(summary, latency, requests)
  local counts = {
    ok = 0, redirect = 0, conflict = 0, client_error = 0, server_error = 0, bad_body = 0
  }
  for _, thread in ipairs(threads) do
    counts.ok = counts.ok + thread:get("n_ok")
    counts.redirect = counts.redirect + thread:get("n_redirect")
    counts.conflict = counts.conflict + thread:get("n_conflict")
    counts.client_error = counts.client_error + thread:get("n_client_error")
    counts.server_error = counts.server_error + thread:get("n_server_error")
    counts.bad_body = counts.bad_body + thread:get("n_bad_body")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"status_errors": %d, ' ..
    '"counts": {"ok": %d, "redirect": %d, "conflict": %d, "client_error": %d, ' ..
    '"server_error": %d, "bad_body": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    counts.ok, counts.redirect, counts.conflict, counts.client_error,
    counts.server_error, counts.bad_body,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean
  ))
end
