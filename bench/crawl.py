#!/usr/bin/env python3
"""Every page a role can reach, timed: from `/`, follows the links of each HTML page
(never logout, never assets), at most two pages of each route shape (ids replaced by N)
and LIMIT pages in all; one GET each, so this is the cost of one request on a quiet
server, not a load. Prints the slowest TOP (default 25): milliseconds, bytes, path.

Standard library only. Usage: crawl.py BASE_URL COOKIE [LIMIT] [TOP]
"""
import re, sys, time, urllib.request, collections
BASE=sys.argv[1]; cookie=sys.argv[2]; limit=int(sys.argv[3]) if len(sys.argv)>3 else 150
top=int(sys.argv[4]) if len(sys.argv)>4 else 25
seen=set(); q=collections.deque(["/"]); out=[]
pat=collections.Counter()
while q and len(out)<limit:
    p=q.popleft()
    if p in seen: continue
    seen.add(p)
    # one sample per route shape
    shape=re.sub(r'\d+','N',p.split('?')[0]); 
    if pat[shape]>=2: continue
    pat[shape]+=1
    req=urllib.request.Request(BASE+p, headers={"Cookie":cookie})
    t=time.time()
    try:
        r=urllib.request.urlopen(req); body=r.read(); ct=r.headers.get('content-type','')
    except Exception as e:
        out.append((0,0,p+" ERR "+str(e)[:40])); continue
    dt=time.time()-t
    out.append((dt,len(body),p))
    if 'html' in ct:
        for h in re.findall(r'href="(/[^"#]*)"', body.decode('utf8','replace')):
            h=h.replace('&amp;','&')
            if 'logout' in h or h.startswith('/assets'): continue
            if h not in seen: q.append(h)
for dt, n, p in sorted(out, reverse=True)[:top]:
    print(f"{dt*1000:8.1f} ms {n:9d} B  {p}")
