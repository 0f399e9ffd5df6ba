-- One wrk script for every workload; the mode is the first argument after `--`.
--   get PATH [ACCEPT_ENCODING]        the same GET again and again
--   sign PATH RUN_ID DOMAIN THANKS XFF COOKIE|TOKEN|STARTED...
--                                     a valid sign POST, a new address @DOMAIN each time; one
--                                     session cookie + CSRF token (+ the form's start token)
--                                     per wrk thread (fetched by bench/run.py first: Flask-WTF
--                                     ties a token to a session). THANKS: the thanks page's
--                                     path, fetched after each 303 as a browser does ("-":
--                                     not). XFF "1": each POST from another network, in
--                                     X-Forwarded-For as a load balancer sets it.
--                                     STARTED "@FILE@NTHREADS": a fresh form start token
--                                     per POST from FILE (split by thread), as each real
--                                     signer loads the page (a start token counts once).
--   confirm FILE NTHREADS             each confirmation link in FILE once (split by thread)
-- done() prints one line `BENCH {json}` that bench/run.py reads.
local threads = {}

function setup(thread)
  thread:set("thread_no", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  sent, answered, reused, n = 0, 0, 0, 0
  statuses = {}
  if mode == "get" then
    local headers = {}
    if args[3] and args[3] ~= "" then headers["Accept-Encoding"] = args[3] end
    fixed = wrk.format("GET", args[2], headers)
  elseif mode == "sign" then
    path, run_id, domain, thanks, xff = args[2], args[3], args[4], args[5], args[6] == "1"
    local triple = args[6 + thread_no] or args[7]
    cookie, token, started = triple:match("^(.-)|(.-)|(.*)$")
    sign_headers = {["Content-Type"] = "application/x-www-form-urlencoded",
                    ["Cookie"] = cookie}
    thanks_request = thanks ~= "-" and wrk.format("GET", thanks, {["Cookie"] = cookie}) or nil
    thanks_due = 0
    local file, nthreads = started:match("^@(.+)@(%d+)$")
    if file then
      starts, started = {}, nil
      local i = 0
      for line in io.lines(file) do
        if i % tonumber(nthreads) == thread_no - 1 then table.insert(starts, line) end
        i = i + 1
      end
    end
    math.randomseed(thread_no * 7919 + os.time())
  elseif mode == "confirm" then
    tokens = {}
    local nthreads, i = tonumber(args[3]), 0
    for line in io.lines(args[2]) do
      if i % nthreads == thread_no - 1 then table.insert(tokens, line) end
      i = i + 1
    end
  end
end

function request()
  sent = sent + 1
  if mode == "get" then return fixed end
  n = n + 1
  if mode == "sign" then
    if thanks_due > 0 then  -- the browser follows the 303
      thanks_due = thanks_due - 1
      return thanks_request
    end
    local start = started
    if starts then
      signs = (signs or 0) + 1
      if signs > #starts then reused = reused + 1 end
      start = starts[(signs - 1) % #starts + 1]
    end
    local body = "full_name=Bench+Signer&email=" .. run_id .. "-" .. thread_no .. "-" .. n ..
      "%40" .. domain .. "&country=KZ&display=full&csrf_token=" .. token ..
      "&form_started=" .. start
    if xff then  -- a client from anywhere in 10.0.0.0/8 (65,536 /24 networks)
      sign_headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255),
        math.random(0, 255), math.random(1, 254))
    end
    return wrk.format("POST", path, sign_headers, body)
  end
  local i = n
  if i > #tokens then
    reused = reused + 1
    i = (i - 1) % #tokens + 1
  end
  return wrk.format("GET", "/confirm/" .. tokens[i])
end

function response(status, headers, body)
  answered = answered + 1
  if mode == "sign" and status == 303 and thanks_request then thanks_due = thanks_due + 1 end
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {sent = 0, answered = 0, reused = 0}
  local by_status = {}
  for _, thread in ipairs(threads) do
    for _, name in ipairs({"sent", "answered", "reused"}) do
      total[name] = total[name] + (thread:get(name) or 0)
    end
    for status, count in pairs(thread:get("statuses") or {}) do
      by_status[status] = (by_status[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(by_status) do
    table.insert(parts, string.format('"%s": %d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, ' ..
    '"socket_errors": %d, "status_errors": %d, "sent": %d, "answered": %d, ' ..
    '"reused": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout, e.status,
    total.sent, total.answered, total.reused, table.concat(parts, ", ")))
end
