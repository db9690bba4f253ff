# SPDX-License-Identifier: Apache-2.0
"""PlainApp's work under python-daemon's DaemonRunner (Debian python3-daemon), for bench.sh.

Usage: python3 pydaemon_app.py start|stop|restart DIR INTERVAL_SECONDS [--stock]

Files in DIR: py.pid (pidfile, 5 s acquire timeout like the sample daemon), sample.data, py.out, py.err.
As shipped, DaemonRunner opens stderr with open(path, 'w+t', buffering=0), which Python 3 refuses
("can't have unbuffered text I/O"). Unless --stock is given, this driver overrides that one method to open it
line-buffered; nothing else of python-daemon is changed.
"""
import datetime
import os
import sys
import time

from daemon import runner

STOCK = "--stock" in sys.argv
argv = [a for a in sys.argv if a != "--stock"]
action, directory, interval = argv[1], os.path.abspath(argv[2]), float(argv[3])


class App:
    stdin_path = os.devnull
    stdout_path = os.path.join(directory, "py.out")
    stderr_path = os.path.join(directory, "py.err")
    pidfile_path = os.path.join(directory, "py.pid")
    pidfile_timeout = 5
    data = os.path.join(directory, "sample.data")

    def append(self, line):
        with open(self.data, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    def run(self):
        try:
            while True:
                self.append("Processing at " + datetime.datetime.now().isoformat())
                time.sleep(interval)
        finally:  # SIGTERM: python-daemon's terminate() raises SystemExit
            self.append("Stopped at " + datetime.datetime.now().isoformat())


class Runner(runner.DaemonRunner):
    def _open_streams_from_app_stream_paths(self, app):
        if STOCK:
            return super()._open_streams_from_app_stream_paths(app)
        self.daemon_context.stdin = open(app.stdin_path, "rt")
        self.daemon_context.stdout = open(app.stdout_path, "w+t")
        self.daemon_context.stderr = open(app.stderr_path, "w+t", buffering=1)


sys.argv = [argv[0], action]
Runner(App()).do_action()
