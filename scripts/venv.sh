# Shared by scripts/run and scripts/test: make .venv and (re)install a requirements file
# only when it changed since the last install.
ensure_venv() {
  local req=$1 py=${PYTHON:-python3}
  if [ ! -x .venv/bin/python ]; then
    "$py" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
  fi
  local stamp=".venv/.installed-$(basename "$req")"
  local want
  want=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install -q -r "$req"
    echo "$want" > "$stamp"
  fi
}
