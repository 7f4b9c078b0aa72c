"""An audit hook (PEP 578) that records what a hostile case does to the host.

While a case runs, every file opened, directory listed or file-system change made outside
the allowed roots is a violation, and so is starting a process, opening a network
connection or compiling Python source text from a string inside ``pfa`` (exec/eval).
Python's own installation (stdlib, site-packages: imports) and the ``pfa`` package
directory are always allowed; the runner adds the case's temporary directory.
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from collections.abc import Iterable

# events whose first argument is a path the case touches
_PATH_EVENTS = frozenset({
    "open", "os.listdir", "os.scandir", "os.chdir", "os.mkdir", "os.remove", "os.rename",
    "os.rmdir", "os.symlink", "os.link", "os.truncate", "os.chmod", "os.chown", "os.utime",
    "os.chflags", "os.lchflags", "os.setxattr", "os.removexattr", "os.listxattr",
    "shutil.rmtree", "shutil.copyfile", "shutil.copymode", "shutil.copystat",
    "shutil.move", "shutil.make_archive", "glob.glob", "pathlib.Path.glob", "ctypes.dlopen",
})
# events that are violations whatever their arguments
_ALWAYS_BAD = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
    "os.forkpty", "os.startfile", "os.kill", "os.killpg", "socket.connect", "socket.bind",
    "socket.sendto", "urllib.Request", "http.client.connect", "ftplib.connect",
    "webbrowser.open",
})
HARNESS_DIR = os.path.dirname(os.path.abspath(__file__))
# files every Python process may open (read-only system information)
_SYSTEM_OK = ("/dev/null", "/proc/self/stat", "/proc/self/status", "/proc/self/maps", "/sys/devices/system/cpu/",
              "/sys/fs/cgroup/", "/etc/localtime", "/usr/share/zoneinfo/",
              "/etc/ld.so.cache")


def _base_roots() -> list[str]:
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        p = sysconfig.get_paths().get(key)
        if p:
            roots.add(p)
    roots.update(site.getsitepackages())
    return sorted(os.path.realpath(r) for r in roots if r)


class Auditor:
    """Records violations while ``active``; install once per process with :meth:`install`."""

    def __init__(self) -> None:
        import pfa

        self.base = _base_roots()
        self.pfa_dir = os.path.dirname(os.path.abspath(pfa.__file__)) + os.sep
        paths = sysconfig.get_paths()
        self.stdlib = tuple(paths[k].rstrip("/") + "/" for k in ("stdlib", "platstdlib")
                            if paths.get(k))
        self.allowed: list[str] = []
        self.active = False
        self.violations: list[str] = []
        self._busy = False

    def install(self) -> None:
        sys.addaudithook(self._hook)

    def begin(self, allowed: Iterable[str]) -> None:
        self.allowed = [os.path.realpath(a) for a in allowed]
        self.violations = []
        self.active = True

    def end(self) -> list[str]:
        self.active = False
        out, self.violations = self.violations, []
        return out

    def _path_ok(self, path: object) -> bool:
        if isinstance(path, int) or path is None:
            return True  # an already-open descriptor
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            path = os.fspath(path)  # type: ignore[arg-type]
        real = os.path.realpath(path)
        if real.startswith(_SYSTEM_OK) or os.path.abspath(path).startswith(_SYSTEM_OK):
            return True
        for root in (*self.base, self.pfa_dir, HARNESS_DIR, *self.allowed):
            if real == root or real.startswith(root.rstrip("/") + "/"):
                return True
        return False

    def _from_pfa(self) -> bool:
        """Whether the code asking to compile source text is a function of the pfa package:
        the first frame outside the standard library is in pfa and is not module-level code
        (imports run dataclass and namedtuple factories, which is fine)."""
        f = sys._getframe(2)
        while f is not None:
            name = f.f_code.co_filename
            if f.f_code.co_name == "<module>":
                return False  # module-level code: an import
            if not (name.startswith("<") or name.startswith(self.stdlib)):
                break
            f = f.f_back
        return (f is not None and f.f_code.co_filename.startswith(self.pfa_dir)
                and f.f_code.co_name != "<module>")

    def _hook(self, event: str, args: tuple) -> None:
        if not self.active or self._busy:
            return
        self._busy = True
        try:
            if event in _PATH_EVENTS:
                path = args[0] if args else None
                if event in ("os.listdir", "os.scandir") and _import_dir(path):
                    pass  # the import system lists the directories of sys.path
                elif not self._path_ok(path):
                    self.violations.append(f"{event} {path!r}")
            elif event in _ALWAYS_BAD:
                self.violations.append(f"{event} {_short(args)}")
            elif event == "compile":
                filename = args[1] if len(args) > 1 else None
                if (isinstance(filename, str) and filename.startswith("<")
                        and self._from_pfa()):
                    self.violations.append(f"compile of source text {_short(args[0])} "
                                           f"({filename}) called from pfa")
        except Exception as err:  # never break the audited code
            self.violations.append(f"audit hook failed on {event}: {err!r}")
        finally:
            self._busy = False


def _import_dir(path: object) -> bool:
    if not isinstance(path, str):
        return False
    entries = {os.path.realpath(p or ".") for p in sys.path if isinstance(p, str)}
    return os.path.realpath(path or ".") in entries


def _short(obj: object, n: int = 120) -> str:
    text = repr(obj)
    return text if len(text) <= n else text[:n] + "…"
