#Requires -Version 7.4
<#
.SYNOPSIS
Builds, tests or cleans SriovPS.

.DESCRIPTION
Build: dotnet build, which also lays out out/SriovPS (manifest, help, formats, sample host).
Test:  the xunit suite, then the Pester suite in a fresh pwsh (so the module's DLLs are not held
       by this session); Pester 5 must be installed for the second part.
Clean: dotnet clean and remove out/.

.EXAMPLE
./build.ps1 Build, Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$solution = Join-Path $PSScriptRoot 'SriovPS.sln'
$out = Join-Path $PSScriptRoot 'out'

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE."
    }
}

foreach ($step in $Task) {
    switch ($step) {
        'Clean' {
            Invoke-Dotnet clean $solution -c $Configuration --nologo -v quiet
            # Directory.Delete does not follow the sample host's symbolic links.
            if ([System.IO.Directory]::Exists($out)) {
                [System.IO.Directory]::Delete($out, $true)
            }
        }
        'Build' {
            Invoke-Dotnet build $solution -c $Configuration --nologo
        }
        'Test' {
            Invoke-Dotnet test $solution -c $Configuration --nologo
            $pester = Get-Module -ListAvailable Pester | Where-Object Version -GE ([version]'5.0') | Select-Object -First 1
            if (-not $pester) {
                Write-Warning 'Pester 5 is not installed (Install-Module Pester -MinimumVersion 5.0): tests/Pester skipped.'
                continue
            }

            # A fresh pwsh, so this session does not hold the module's DLLs; results go under out/.
            $pesterPath = Join-Path $PSScriptRoot 'tests/Pester'
            $resultPath = Join-Path $out 'pester.xml'
            & (Get-Process -Id $PID).Path -NoProfile -Command {
                param($Path, $ResultPath)
                Import-Module Pester -MinimumVersion 5.0
                $configuration = New-PesterConfiguration
                $configuration.Run.Path = $Path
                $configuration.Run.Exit = $true
                $configuration.Output.Verbosity = 'Detailed'
                $configuration.TestResult.Enabled = $true
                $configuration.TestResult.OutputPath = $ResultPath
                Invoke-Pester -Configuration $configuration
            } -args $pesterPath, $resultPath
            if ($LASTEXITCODE -ne 0) {
                throw "Pester tests failed (exit code $LASTEXITCODE)."
            }
        }
    }
}
