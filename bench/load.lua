-- One request shape per run, from the environment; bounded in request count
-- (BENCH_MAX_REQUESTS per thread) as well as by wrk's -d duration.
wrk.method = os.getenv("BENCH_METHOD")
wrk.path = os.getenv("BENCH_PATH")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
wrk.headers["organization-id"] = os.getenv("BENCH_ORGANIZATION")
if os.getenv("BENCH_ORIGINAL_URI") then
  wrk.headers["X-Original-Method"] = os.getenv("BENCH_ORIGINAL_METHOD")
  wrk.headers["X-Original-URI"] = os.getenv("BENCH_ORIGINAL_URI")
end
if wrk.method == "POST" then
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"name": "bench"}'
end

local max_requests = tonumber(os.getenv("BENCH_MAX_REQUESTS"))
local sent = 0

function request()
  sent = sent + 1
  if sent > max_requests then
    wrk.thread:stop()
  end
  return wrk.format()
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
