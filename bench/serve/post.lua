-- wrk script: POSTs the body in $BODY (a file) to the URL wrk was given, and at the end prints
-- the count of responses by status code and of connection errors, so that nothing a balancer
-- failed to retry can hide in an average.
local f = assert(io.open(os.getenv("BODY"), "rb"))
local body = f:read("*a")
f:close()
local ctype = os.getenv("CONTENT_TYPE") or "application/json"
local header_len = os.getenv("INFERENCE_HEADER_LEN")

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  codes = {}
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = ctype
  if header_len then wrk.headers["Inference-Header-Content-Length"] = header_len end
  req = wrk.format()
end

function request()
  return req
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("codes")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("status %d: %d\n", k, v)) end
  local e = summary.errors
  io.write(string.format("errors: connect %d, read %d, write %d, status %d, timeout %d\n",
                         e.connect, e.read, e.write, e.status, e.timeout))
  io.write(string.format("latency_us p50 %d p90 %d p99 %d max %d\n", latency:percentile(50),
                         latency:percentile(90), latency:percentile(99), latency.max))
end
