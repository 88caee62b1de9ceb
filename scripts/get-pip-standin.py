"""Stand-in for the get-pip.py bootstrap script that ansible-test downloads.

ansible-test creates each of its virtual environments (the --venv controller and one
per sanity test) with 'python -m venv --without-pip', then bootstraps pip by running a
get-pip.py it downloads from ci-files.testing.ansible.com. Only PyPI is reachable here,
so scripts/sanity.sh puts this file where ansible-test caches that script
(~/.ansible/test/cache/get_pip_<version>.py). It takes the same arguments, e.g.

    python get_pip_24_2.py --disable-pip-version-check pip==24.2 --no-setuptools --no-wheel

and gets the same result: pip from the interpreter's bundled ensurepip wheel, then the
requested packages from PyPI with that pip; setuptools/wheel removed if asked.
"""
import subprocess
import sys

NO_FLAGS = {'--no-setuptools': 'setuptools', '--no-wheel': 'wheel'}


def main(argv):
    unwanted = [pkg for flag, pkg in NO_FLAGS.items() if flag in argv]
    args = [a for a in argv if a not in NO_FLAGS]

    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args)

    # ensurepip of Python < 3.12 also installs setuptools; get-pip.py would not have.
    installed = subprocess.run(
        [sys.executable, '-m', 'pip', 'list', '--format=freeze', '--disable-pip-version-check'],
        check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
    names = {line.split('==')[0].lower() for line in installed.splitlines()}
    remove = [pkg for pkg in unwanted if pkg in names and not any(a.startswith(pkg) for a in args)]
    if remove:
        subprocess.check_call([sys.executable, '-m', 'pip', 'uninstall', '--yes',
                               '--disable-pip-version-check'] + remove)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
