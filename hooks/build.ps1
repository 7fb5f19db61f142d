# ask-cli's custom build flow on Windows: `ask deploy` runs `hooks/build.ps1 <zip file to write> <debug>` in place
# of npm and deploys the zip it names. See hooks/build.sh.
param([string]$ZipFile, [bool]$Debug = $false)
$ErrorActionPreference = 'Stop'
$zip = [System.IO.Path]::GetFullPath($ZipFile)
Set-Location (Join-Path $PSScriptRoot '..')
node --require ts-node/register/transpile-only tools/build/lambda-package.ts $zip ($Debug.ToString().ToLower())
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
