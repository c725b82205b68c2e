"""Drives a command through a real pseudo-terminal for the walkthrough tests.

argv[1]: JSON list, the command; argv[2]: JSON list of [regex, keys] steps: wait until the regex appears in the
output printed since the previous match, then type the keys. Prints JSON {"screen", "code"} when the command exits.
"""
import json
import os
import pty
import re
import select
import sys
import time

command = json.loads(sys.argv[1])
steps = json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

screen = b""
closed = False


def pump(deadline):
    global screen, closed
    ready, _, _ = select.select([fd], [], [], max(0.0, min(0.2, deadline - time.time())))
    if ready:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            closed = True
        screen += chunk


position = 0
for pattern, keys in steps:
    deadline = time.time() + 30
    while True:
        match = re.search(pattern.encode(), screen[position:])
        if match:
            position += match.end()
            break
        if closed or time.time() > deadline:
            print(json.dumps({"screen": screen.decode(errors="replace"), "code": None, "stuck_at": pattern}))
            os.kill(pid, 9)
            sys.exit(0)
        pump(deadline)
    os.write(fd, keys.encode())

deadline = time.time() + 60
while not closed and time.time() < deadline:
    pump(deadline)
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
print(json.dumps({"screen": screen.decode(errors="replace"), "code": code}))
