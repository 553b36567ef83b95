#!/usr/bin/env bash
# Progress and failure lines shared by the scripts.

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m==> warning:\033[0m %s\n' "$*" >&2; }
die() {
  printf '\033[1;31m==> error:\033[0m %s\n' "$*" >&2
  exit 1
}
