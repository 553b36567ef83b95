#!/usr/bin/env bash
# Progress and failure lines shared by the scripts (coloured only on a terminal).

if [[ -t 1 ]]; then _blue=$'\033[1;34m' _yellow=$'\033[1;33m' _red=$'\033[1;31m' _plain=$'\033[0m'; else
  _blue="" _yellow="" _red="" _plain=""
fi

say() { printf '%s==>%s %s\n' "$_blue" "$_plain" "$*"; }
warn() { printf '%s==> warning:%s %s\n' "$_yellow" "$_plain" "$*" >&2; }
die() {
  printf '%s==> error:%s %s\n' "$_red" "$_plain" "$*" >&2
  exit 1
}
