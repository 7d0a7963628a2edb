#!/usr/bin/env bash
# Offline checks of the Terraform code: fmt, init + validate of both modules and infra/, and
# `terraform test` (mock_provider "aws") wherever a tests/ directory exists.
#
# Needs Terraform >= 1.11 (the tests use `override_during`). Provider source: with TF_PLUGIN_MIRROR
# set to a filesystem mirror (the directory that contains registry.terraform.io/), hashicorp/*
# providers come from there only. Without it, a mirror the machine carries is looked for in the
# usual places (/opt, /srv, /usr/local, /usr/share, $HOME, a few levels deep: findProviderMirror in
# scripts/lib/terraform-env.ts) and used when found; otherwise Terraform downloads the provider
# from the registry as usual.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dirs=(modules/stream-restreaming modules/stream-restreaming/examples/complete modules/admin-site infra)
minimum_version="1.11.0"

if ! command -v terraform >/dev/null 2>&1; then
  echo "terraform-test: terraform is not installed or not on PATH. Install Terraform >= 1.11 (https://developer.hashicorp.com/terraform/install) and run again." >&2
  exit 1
fi

if [[ -z "${TF_PLUGIN_MIRROR:-}" ]]; then
  # The search lives in scripts/lib/terraform-env.ts (findProviderMirror), shared with the Jest tests.
  TF_PLUGIN_MIRROR="$("${root}/node_modules/.bin/tsx" "${root}/scripts/lib/terraform-env.ts" || true)"
  [[ -n "${TF_PLUGIN_MIRROR}" ]] && echo "terraform-test: found a provider mirror at ${TF_PLUGIN_MIRROR} (set TF_PLUGIN_MIRROR to choose another)"
fi

export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0

if [[ -n "${TF_PLUGIN_MIRROR:-}" ]]; then
  if [[ ! -d "${TF_PLUGIN_MIRROR}/registry.terraform.io" ]]; then
    echo "terraform-test: TF_PLUGIN_MIRROR=${TF_PLUGIN_MIRROR} has no registry.terraform.io/ directory. Point it at a provider mirror, or unset it to use the Terraform registry." >&2
    exit 1
  fi
  cfg_dir="$(mktemp -d)"
  trap 'rm -rf "${cfg_dir}"' EXIT
  mirror="$(cd "${TF_PLUGIN_MIRROR}" && pwd)"
  cat >"${cfg_dir}/mirror.tfrc" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "${mirror}"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
CFG
  export TF_CLI_CONFIG_FILE="${cfg_dir}/mirror.tfrc"
  echo "terraform-test: providers from the mirror ${mirror}"
elif [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -f "${TF_CLI_CONFIG_FILE}" ]]; then
  # A CLI config that does not exist only produces a warning on every command.
  unset TF_CLI_CONFIG_FILE
fi

cd "${root}"
# Read the whole output: `| head -n 1` would end Terraform with SIGPIPE (exit 141 under pipefail).
version_text="$(terraform version)"
echo "${version_text%%$'\n'*}"
version="$(sed -n '1s/^Terraform v\([0-9][0-9.]*\).*/\1/p' <<<"${version_text}")"
if [[ "$(printf '%s\n%s\n' "${minimum_version}" "${version}" | sort -V | head -n 1)" != "${minimum_version}" ]]; then
  echo "terraform-test: Terraform ${version:-(unknown version)} is too old: the tests need Terraform >= 1.11 (https://developer.hashicorp.com/terraform/install)." >&2
  exit 1
fi

step() { printf '\n== %s\n' "$*"; }

step "terraform fmt -check -recursive (modules/, infra/)"
terraform fmt -check -recursive -diff modules
terraform fmt -check -recursive -diff infra

for dir in "${dirs[@]}"; do
  step "${dir}: init + validate"
  terraform -chdir="${dir}" init -backend=false -input=false -no-color >/dev/null
  terraform -chdir="${dir}" validate -no-color

  if compgen -G "${dir}/tests/*.tftest.hcl" >/dev/null; then
    step "${dir}: terraform test"
    terraform -chdir="${dir}" test -no-color
  fi
done

step "terraform: all checks passed"
