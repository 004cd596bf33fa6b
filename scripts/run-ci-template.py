#!/usr/bin/env python3
"""Run the shell steps of action.yml or an Azure Pipelines steps template on this machine.

    run-ci-template.py action action.yml [input=value ...]
    run-ci-template.py azure ci/azure-pipelines/agwlint.yml [parameter=value ...]

Inputs (parameters) not given take the file's defaults. Each step's `env:` is expanded the way
the service expands it (`${{ inputs.x }}`, `${{ parameters.x }}`; Azure macros `$(Name)` from
the environment, dots turned into underscores, as agents export them) and the step's script
runs with bash in the current directory. What the services provide around the steps has to be
in the environment already:

- action: RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH. A
  step that prepends to $GITHUB_PATH affects the next steps, as on a runner.
- azure: AGENT_TEMPDIRECTORY, BUILD_ARTIFACTSTAGINGDIRECTORY, COMMON_TESTRESULTSDIRECTORY,
  BUILD_SOURCESDIRECTORY. `##vso[task.setvariable]` and `##vso[task.prependpath]` lines are
  honoured for the later steps. `task:` steps are not run (they are Azure's); they are printed
  with their expanded inputs, and their `condition` is reported, so the caller can check them.

Steps run until one fails (except those whose `if:`/`condition:` asks to run after a failure:
`always()`, `succeededOrFailed()`); the exit status is the first failing step's. Used by
scripts/ci-packaging.sh; this is a local stand-in for the services, not a reimplementation of
their expression languages (only the forms the two files use are understood).
"""

import json
import os
import re
import subprocess
import sys

import yaml  # PyYAML, installed with pre-commit in the CI venv


def expand(text, values, kind, env=None):
    """Expand `${{ inputs.x }}` / `${{ parameters.x }}` and, for Azure, `$(Name)` macros."""
    if not isinstance(text, str):
        return "" if text is None else str(text).lower() if isinstance(text, bool) else str(text)
    scope = "inputs" if kind == "action" else "parameters"

    def one(m):
        name = m.group(1)
        if name not in values:
            raise SystemExit(f"run-ci-template: unknown {scope}.{name}")
        return values[name]

    text = re.sub(r"\$\{\{\s*" + scope + r"\.([A-Za-z0-9_-]+)\s*\}\}", one, text)
    if kind == "azure":
        text = re.sub(
            r"\$\(([A-Za-z0-9_.]+)\)",
            lambda m: (env or os.environ).get(m.group(1).replace(".", "_").upper(), m.group(0)),
            text,
        )
    return text


def main():
    kind, path, *assignments = sys.argv[1:]
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    values = {}
    if kind == "action":
        for name, spec in (doc.get("inputs") or {}).items():
            values[name] = str(spec.get("default", ""))
        steps = doc["runs"]["steps"]
    else:
        for p in doc.get("parameters") or []:
            values[p["name"]] = expand(p.get("default", ""), {}, "azure")
        steps = doc["steps"]
    for a in assignments:
        name, _, value = a.partition("=")
        if name not in values:
            raise SystemExit(f"run-ci-template: {path} has no input {name}")
        values[name] = value

    env = dict(os.environ)
    failed = 0
    for step in steps:
        cond = str(step.get("if", step.get("condition", "")))
        after_failure = any(c in cond for c in ("always()", "succeededOrFailed()", "failure()"))
        if failed and not after_failure:
            continue
        title = expand(step.get("name", step.get("displayName", "")), values, kind)
        if "task" in step:
            inputs = {k: expand(v, values, kind) for k, v in (step.get("inputs") or {}).items()}
            print(f"::task:: {step['task']} condition={expand(cond, values, kind)!r} "
                  f"inputs={json.dumps(inputs, sort_keys=True)}", flush=True)
            continue
        script = step.get("run", step.get("bash"))
        if script is None:
            raise SystemExit(f"run-ci-template: step {title!r} has no run/bash/task")
        step_env = dict(env)
        for k, v in (step.get("env") or {}).items():
            step_env[k] = expand(v, values, kind, env)
        script = expand(script, values, kind, env) if kind == "azure" else script
        cwd = expand(step.get("workingDirectory", ""), values, kind, env) or None
        print(f"::step:: {title}", flush=True)
        proc = subprocess.run(["bash", "-c", script], env=step_env, cwd=cwd,
                              stdout=subprocess.PIPE, text=True)
        sys.stdout.write(proc.stdout)
        sys.stdout.flush()
        if kind == "action" and env.get("GITHUB_PATH") and os.path.exists(env["GITHUB_PATH"]):
            added = [p for p in open(env["GITHUB_PATH"], encoding="utf-8").read().splitlines() if p]
            env["PATH"] = os.pathsep.join(reversed(added)) + os.pathsep + os.environ["PATH"]
        if kind == "azure":
            for line in proc.stdout.splitlines():
                m = re.match(r"##vso\[task\.setvariable variable=([^;\]]+)[^\]]*\](.*)$", line)
                if m:
                    env[m.group(1).replace(".", "_").upper()] = m.group(2)
                m = re.match(r"##vso\[task\.prependpath\](.*)$", line)
                if m:
                    env["PATH"] = m.group(1) + os.pathsep + env["PATH"]
        if proc.returncode != 0:
            print(f"::step-failed:: {title} exit {proc.returncode}", flush=True)
            failed = failed or proc.returncode
    return failed


if __name__ == "__main__":
    sys.exit(main())
