#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# What a user meets around the commands: the conceptual help topic, online help, the manifest's
# release notes, completion of -Driver, and what -Verbose says when a host has no SR-IOV.

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    $script:ModulePath = (Resolve-Path (Join-Path $PSScriptRoot '../../out/SriovPS')).Path
    Import-Module $script:ModulePath -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Virtio = New-SriovTestHost -Fixture 'virtio-vm'
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-SriovTestHost $script:Virtio
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Module help and manifest' -Tag 'CI' {
    It 'has an about_SriovPS topic that explains -HostRoot and the refusals of piped objects' {
        $topic = Get-Help about_SriovPS | Out-String

        $topic | Should -Match 'TOPIC\s+about_SriovPS'
        $topic | Should -Match '-HostRoot'
        $topic | Should -Match 'VfGivenForPf'
        $topic | Should -Match 'ObjectFromOtherHost'
    }

    It 'names no page-relative address as online help, so Get-Help -Online says there is none' {
        [xml] $maml = Get-Content -Raw (Join-Path $script:ModulePath 'en-US/SriovPS.dll-Help.xml')
        $ns = @{ maml = 'http://schemas.microsoft.com/maml/2004/10' }
        $uris = Select-Xml -Xml $maml -XPath '//maml:navigationLink/maml:uri' -Namespace $ns | ForEach-Object { $_.Node.InnerText } | Where-Object { $_ }

        $uris | Where-Object { $_ -notmatch '^https?://' } | Should -BeNullOrEmpty
        { Get-Help Get-SriovPf -Online -ErrorAction Stop } | Should -Throw -ExpectedMessage '*(URI) of the Help topic is not specified*'
    }

    It 'has release notes that name every command it exports' {
        $manifest = Import-PowerShellDataFile (Join-Path $script:ModulePath 'SriovPS.psd1')
        $notes = $manifest.PrivateData.PSData.ReleaseNotes

        $manifest.CmdletsToExport.Count | Should -Be 21
        foreach ($command in $manifest.CmdletsToExport) {
            $notes | Should -Match "\b$command\b" -Because "the release notes describe $command"
        }
    }
}

Describe 'Completion and -Verbose' -Tag 'CI' {
    It 'completes Set-SriovVfDriver -Driver with Default, vfio-pci, pci-stub and the drivers the PF''s VFs use, not every PCI driver' {
        $line = "Set-SriovVfDriver -HostRoot '$($script:I350)' -PfName eno49 -Driver "

        $offered = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText

        $offered | Should -Be @('Default', 'igbvf', 'pci-stub', 'vfio-pci')
        (Get-ChildItem -Name (Join-Path $script:I350 'sys/bus/pci/drivers')) | Should -Contain 'pcieport'
    }

    It 'says with -Verbose what Get-SriovPf found on a host without SR-IOV' {
        $pfs = Get-SriovPf -HostRoot $script:Virtio -Verbose 4>&1

        $verbose = @($pfs | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        @($pfs | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }) | Should -BeNullOrEmpty
        $verbose | Should -Contain 'The one network PCI function here (eth0) has no SR-IOV; Get-SriovPf -IncludeNotCapable shows it with the reason.'
    }
}
