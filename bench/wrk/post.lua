-- A POST of a fixed form body (the live score preview), for wrk. KAOHE_BODY names the
-- file holding the urlencoded body; KAOHE_COOKIE the session.
local f = assert(io.open(os.getenv("KAOHE_BODY")))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("KAOHE_COOKIE")
