#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# -HostRoot: the host each command works on is its own, chosen when it starts, whatever other
# commands in the process do; and the warning that a copied tree lacks the kernel's values is
# given once per command line and tree.

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    $script:ModulePath = (Resolve-Path (Join-Path $PSScriptRoot '../../out/SriovPS')).Path
    Import-Module $script:ModulePath -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:Fixtures = 'i350-4port', 'x540-2port', 'connectx5', 'e810-nodriver', 'lab-igb'
    $script:Roots = @{}
    $script:Expected = @{}
    foreach ($fixture in $script:Fixtures) {
        $root = New-SriovTestHost -Fixture $fixture
        $script:Roots[$fixture] = $root
        # Read alone, one at a time: what each host has.
        $script:Expected[$fixture] = (Get-SriovPf -HostRoot $root -IncludeNotCapable | ForEach-Object PciAddress | Sort-Object) -join ','
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    foreach ($root in $script:Roots.Values) { Remove-SriovTestHost $root }
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe '-HostRoot' -Tag 'CI' {
    It 'the five fixtures differ, so a result from the wrong host shows' {
        ($script:Expected.Values | Select-Object -Unique).Count | Should -Be 5
    }

    It 'gives every result of ForEach-Object -Parallel from its own host, while other runspaces set and clear $env:SRIOVPS_HOST_ROOT' {
        $work = foreach ($round in 1..4) { foreach ($fixture in $script:Fixtures) { [pscustomobject]@{ Fixture = $fixture; Root = $script:Roots[$fixture]; Round = $round } } }
        $decoy = $script:Roots['x540-2port']

        $results = $work | ForEach-Object -ThrottleLimit 5 -Parallel {
            Import-Module $using:ModulePath
            # The process-wide variable changes under the other runspaces' feet, and is cleared.
            if ($_.Round % 2) { $env:SRIOVPS_HOST_ROOT = $using:decoy } else { Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue }
            $pfs = Get-SriovPf -HostRoot $_.Root -IncludeNotCapable
            $vfPfs = Get-SriovVf -HostRoot $_.Root -WarningAction SilentlyContinue | ForEach-Object PfPciAddress | Sort-Object -Unique
            [pscustomobject]@{
                Fixture = $_.Fixture
                Pfs = ($pfs.PciAddress | Sort-Object) -join ','
                VfPfs = @($vfPfs)
            }
        }

        $results.Count | Should -Be 20
        foreach ($result in $results) {
            $result.Pfs | Should -Be $script:Expected[$result.Fixture] -Because "$($result.Fixture) is read from its own -HostRoot"
            foreach ($address in $result.VfPfs) {
                $script:Expected[$result.Fixture].Split(',') | Should -Contain $address
            }
        }
    }

    It 'wins over $env:SRIOVPS_HOST_ROOT, which stays the default' {
        $env:SRIOVPS_HOST_ROOT = $script:Roots['x540-2port']
        try {
            $byParameter = (Get-SriovPf -HostRoot $script:Roots['i350-4port'] -IncludeNotCapable).PciAddress | Sort-Object
            $byVariable = (Get-SriovPf -IncludeNotCapable).PciAddress | Sort-Object
        }
        finally {
            Remove-Item Env:SRIOVPS_HOST_ROOT
        }

        $byParameter -join ',' | Should -Be $script:Expected['i350-4port']
        $byVariable -join ',' | Should -Be $script:Expected['x540-2port']
    }

    It 'is relative to the current location, and a missing directory ends the command with HostRootNotFound naming -HostRoot' {
        Push-Location (Split-Path $script:Roots['i350-4port'])
        try {
            $relative = Get-SriovPf -HostRoot (Split-Path $script:Roots['i350-4port'] -Leaf) -IncludeNotCapable
        }
        finally {
            Pop-Location
        }
        $missing = Join-Path $script:Roots['i350-4port'] 'nosuch'

        ($relative.PciAddress | Sort-Object) -join ',' | Should -Be $script:Expected['i350-4port']
        { Get-SriovPf -HostRoot $missing -ErrorAction Stop } |
            Should -Throw -ErrorId 'HostRootNotFound,SriovPS.Commands.GetSriovPfCommand' -ExpectedMessage "*'$missing' named by -HostRoot*"
    }

    It 'takes PowerShell paths: a drive of its own and ~' {
        $tree = $script:Roots['i350-4port']
        $null = New-PSDrive -Name SriovTrees -PSProvider FileSystem -Root (Split-Path $tree)
        try {
            $onDrive = Get-SriovPf -HostRoot "SriovTrees:/$(Split-Path $tree -Leaf)" -IncludeNotCapable
        }
        finally {
            Remove-PSDrive SriovTrees
        }
        $underHome = Join-Path $HOME ('sriovps-tree-' + [guid]::NewGuid().ToString('N'))
        & cp -a -- $tree $underHome
        try {
            $tilde = Get-SriovPf -HostRoot "~/$(Split-Path $underHome -Leaf)" -IncludeNotCapable
        }
        finally {
            Remove-SriovTestHost $underHome
        }

        ($onDrive.PciAddress | Sort-Object) -join ',' | Should -Be $script:Expected['i350-4port']
        ($tilde.PciAddress | Sort-Object) -join ',' | Should -Be $script:Expected['i350-4port']
    }

    It 'completes PF names from the tree -HostRoot names' {
        $root = $script:Roots['x540-2port']
        $line = "Get-SriovVf -HostRoot '$root' -PfName "

        $names = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText

        $expected = (Get-SriovPf -HostRoot $root).Name | Sort-Object
        $names | Sort-Object | Should -Be $expected
    }
}

Describe 'The copied-tree warning' -Tag 'CI' {
    BeforeEach {
        # A fresh tree each time: the warning is given once per command line and tree.
        $script:Tree = New-SriovTestHost -Fixture 'i350-4port'
    }

    AfterEach {
        Remove-SriovTestHost $script:Tree
    }

    It 'is given once for Get-SriovPf eno49 | Get-SriovVf, and short' {
        $null = Get-SriovPf eno49 -HostRoot $script:Tree | Get-SriovVf -HostRoot $script:Tree -WarningVariable warnings -WarningAction SilentlyContinue

        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -BeLike "'$($script:Tree)' is a copied host tree:*VF settings*"
        ($warnings[0].Message.Length - $script:Tree.Length) | Should -BeLessThan 170
    }

    It 'is not given by Get-SriovPf, which shows nothing the tree lacks' {
        $null = Get-SriovPf -HostRoot $script:Tree -WarningVariable warnings

        $warnings.Count | Should -Be 0
    }

    It 'is given once for several README lines on one tree, and once for another tree' {
        $other = New-SriovTestHost -Fixture 'i350-4port'
        $lines = {
            Get-SriovPf -HostRoot $script:Tree | Get-SriovVf -HostRoot $script:Tree
            Get-SriovVf eno49 -Index 0 -HostRoot $script:Tree
            Get-SriovPf eno49 -HostRoot $script:Tree | Enable-SriovVf -Count 4 -HostRoot $script:Tree -WhatIf
            Set-SriovVf eno49 -Index 0 -Vlan 100 -HostRoot $script:Tree -WhatIf
            Set-SriovVfDriver eno49 -Index 1 -Driver vfio-pci -HostRoot $script:Tree -WhatIf
            Get-SriovVf eno49 -HostRoot $other
        }
        try {
            $first = @(& $lines 3>&1 6>$null | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
            $again = @(& $lines 3>&1 6>$null | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        }
        finally {
            Remove-SriovTestHost $other
        }

        $first.Message | Should -Be @(
            "'$($script:Tree)' is a copied host tree: what only the running kernel and libvirt know (VF settings, owners) is left empty, and changes to the kernel are shown (-WhatIf) but not made."
            "'$other' is a copied host tree: what only the running kernel and libvirt know (VF settings, owners) is left empty, and changes to the kernel are shown (-WhatIf) but not made."
        )
        # The same command line (here, the whole test run) has warned about both trees already.
        $again.Count | Should -Be 0
    }
}
