#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# What Export-SriovConfig is given: arguments (checked before any PF is read, a bad one ends the
# command), -ResourceName for one resource, -NodeSelector, objects bound by their properties whatever
# their type, what there is nothing to export of, and -Path. The formats: Export-SriovConfig.Tests.ps1.

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    . (Join-Path $PSScriptRoot 'ExportFixtures.ps1')
    $script:Lab = New-SriovTestHost -Fixture 'lab-igb'
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Command = 'SriovPS.Commands.ExportSriovConfigCommand'
    $PSDefaultParameterValues = @{ '*-Sriov*:WarningAction' = 'SilentlyContinue' }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:Lab
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Export-SriovConfig input' -Tag 'CI' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:Lab
        $script:Dir = New-TestExportDirectory
        $script:File = Join-Path $script:Dir 'config.json'
        # What a command output before it was ended. Should -Throw runs its script block with
        # $ErrorActionPreference Stop, so an error reported before the refusal would be the one thrown.
        $before = [System.Collections.Generic.List[object]]::new()
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
        [System.IO.Directory]::Delete($script:Dir, $true)
    }

    Context 'arguments, checked before any PF is read: a bad one ends the command' {
        It 'ends it with InvalidResourceName for -ResourceName ''<Shown>'', quoting the rule, and writes nothing' -ForEach @(
            @{ Shown = 'bad-name'; Name = 'bad-name' }
            @{ Shown = '_x'; Name = '_x' }
            @{ Shown = '64 letters'; Name = 'a' * 64 }
            @{ Shown = 'x_'; Name = 'x_' }
        ) {
            $old = Join-Path $script:Dir 'old.json'
            [System.IO.File]::WriteAllText($old, "{}`n")

            foreach ($path in $script:File, $old) {
                # -ErrorAction SilentlyContinue does not keep a terminating error from ending the command.
                $record = { Export-SriovConfig -Format DevicePlugin -ResourceName $Name -Path $path -ErrorAction SilentlyContinue | ForEach-Object { $before.Add($_) } } |
                    Should -Throw -ErrorId "InvalidResourceName,$script:Command" -PassThru
                $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
                $record.Exception.Message | Should -Match ([regex]::Escape("'$Name'") + '.*' + [regex]::Escape('^[A-Za-z0-9]([A-Za-z0-9_]{0,61}[A-Za-z0-9])?$') + '.*Nothing was written\.$')
            }
            { Get-SriovVf eth0 -Index 1 | Export-SriovConfig -Format NetworkAttachmentDefinition -ResourceName $Name | ForEach-Object { $before.Add($_) } } |
                Should -Throw -ErrorId "InvalidResourceName,$script:Command"

            $before | Should -BeNullOrEmpty
            [System.IO.File]::Exists($script:File) | Should -BeFalse
            [System.IO.File]::ReadAllText($old) | Should -BeExactly "{}`n"
            [System.IO.Directory]::GetFiles($script:Dir) | Should -Be @($old)
        }

        It 'ends it with InvalidExportArgument for <Parameter> ''<Value>'', saying <Rule>, and writes nothing' -ForEach @(
            @{ Parameter = '-ResourcePrefix'; Value = 'Intel.com'; Rule = '*DNS subdomain*'; Splat = @{ ResourcePrefix = 'Intel.com' } }
            @{ Parameter = '-ResourcePrefix'; Value = 'intel.com/x'; Rule = '*DNS subdomain*'; Splat = @{ ResourcePrefix = 'intel.com/x' } }
            @{ Parameter = '-ResourcePrefix'; Value = 'k8s.io'; Rule = '*Kubernetes keeps kubernetes.io and k8s.io*'; Splat = @{ ResourcePrefix = 'k8s.io' } }
            @{ Parameter = '-Namespace'; Value = 'My_Apps'; Rule = '*namespace is 1 to 63 lower-case letters*'; Splat = @{ Namespace = 'My_Apps' } }
            @{ Parameter = '-OperatorNamespace'; Value = 'sriov.system'; Rule = '*namespace is 1 to 63 lower-case letters*'; Splat = @{ OperatorNamespace = 'sriov.system' } }
            @{ Parameter = '-NodeSelector'; Value = 'bad key=x'; Rule = '*label key*'; Splat = @{ NodeSelector = @{ 'bad key' = 'x' } } }
            @{ Parameter = '-NodeSelector'; Value = '@{}'; Rule = '*an empty node selector selects every node*'; Splat = @{ NodeSelector = @{} } }
            # Two keys that read as one label: a literal @{ 1 = 'a'; '1' = 'b' } does not even parse.
            @{ Parameter = '-NodeSelector'; Value = '1'; Rule = '*names the same label twice*'; Splat = @{ NodeSelector = & { $twice = @{}; $twice[1] = 'a'; $twice['1'] = 'b'; $twice } } }
        ) {
            $record = { Export-SriovConfig -Format SriovNetworkNodePolicy @Splat -Path $script:File | ForEach-Object { $before.Add($_) } } |
                Should -Throw -ErrorId "InvalidExportArgument,$script:Command" -PassThru

            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.Exception.Message | Should -BeLike "$Parameter '$Value' is not valid: *Nothing was written."
            $record.Exception.Message | Should -BeLike $Rule
            $before | Should -BeNullOrEmpty
            [System.IO.Directory]::GetFiles($script:Dir) | Should -BeNullOrEmpty
        }

        It 'ends it with InvalidExportArgument for a -Path on the <Provider> provider, and sets nothing there' -ForEach @(
            @{ Provider = 'Environment'; Path = 'Env:SRIOVPS_EXPORT_TEST' }
            @{ Provider = 'Variable'; Path = 'Variable:SriovPsExportTest' }
        ) {
            $record = { Export-SriovConfig -Format DevicePlugin -Path $Path | ForEach-Object { $before.Add($_) } } |
                Should -Throw -ErrorId "InvalidExportArgument,$script:Command" -PassThru

            $record.Exception.Message | Should -BeLike "-Path '$Path' is not valid: it is on the $Provider provider, not a file system. Nothing was written."
            $before | Should -BeNullOrEmpty
            Test-Path $Path | Should -BeFalse
        }

        It 'ends it with InvalidNetworkName for a -NetworkName libvirt cannot take' {
            { Export-SriovConfig -Format LibvirtNetwork -NetworkName 'a/b' | ForEach-Object { $before.Add($_) } } |
                Should -Throw -ErrorId "InvalidNetworkName,$script:Command"

            $before | Should -BeNullOrEmpty
        }

        It 'checks them before a PF named or piped is looked for: no SriovPfNotFound or InvalidExportArgument comes first' {
            # Either would be thrown first (see $before), with its own error id.
            { Export-SriovConfig -Format DevicePlugin -PfName nosuch -ResourceName bad-name | ForEach-Object { $before.Add($_) } } |
                Should -Throw -ErrorId "InvalidResourceName,$script:Command"
            { [pscustomobject]@{ Nothing = 1 } | Export-SriovConfig -Format DevicePlugin -ResourcePrefix k8s.io | ForEach-Object { $before.Add($_) } } |
                Should -Throw -ErrorId "InvalidExportArgument,$script:Command"

            $before | Should -BeNullOrEmpty
        }

        It 'takes a -ResourceName of 63 letters, digits and ''_''' {
            $name = 'A1_' + ('b' * 59) + '9'

            $plugin = ConvertFrom-TestJson (Get-SriovVf eth0 -Index 2 | Export-SriovConfig -Format DevicePlugin -ResourceName $name -ErrorAction Stop)

            $plugin.resourceList.resourceName | Should -Be $name
        }
    }

    Context '-ResourceName names exactly one resource' {
        It 'names the resource of the VFs of one PF and driver the same in every format' {
            $vfs = @(Get-SriovVf eth0 -Index 1, 2)
            $arguments = @{ ResourceName = 'lab'; ResourcePrefix = 'example.org'; NodeSelector = @{ zone = 'a' }; ErrorAction = 'Stop' }

            $plugin = ConvertFrom-TestJson ($vfs | Export-SriovConfig -Format DevicePlugin @arguments)
            $nad = ConvertFrom-TestYaml ($vfs | Export-SriovConfig -Format NetworkAttachmentDefinition @arguments)
            $network = ConvertFrom-TestYaml ($vfs | Export-SriovConfig -Format SriovNetwork @arguments)
            $policy = ConvertFrom-TestYaml ($vfs | Export-SriovConfig -Format SriovNetworkNodePolicy @arguments)

            $plugin.resourceList.resourceName | Should -Be 'lab'
            $plugin.resourceList.selectors.pfNames | Should -Be 'eth0#1-2'
            $nad.metadata.annotations.'k8s.v1.cni.cncf.io/resourceName' | Should -Be 'example.org/lab'
            $nad.metadata.name | Should -Be 'lab'
            $network.spec.resourceName | Should -Be 'lab'
            $network.metadata.name | Should -Be 'lab'
            $policy.spec.resourceName | Should -Be 'lab'
            $policy.metadata.name | Should -Be 'lab-1-2'
            $policy.spec.nicSelector.pfNames | Should -Be 'eth0#1-2'
        }

        It 'is InvalidExportArgument, naming the resources, when <Case> make several; nothing is output or written' -ForEach @(
            @{ Case = 'VFs on igbvf and on vfio-pci'; Root = 'Lab'; Export = { Export-SriovConfig -Format DevicePlugin @args }; Made = '2 (sriov_eth0_netdevice, sriov_eth0_vfio)' }
            @{ Case = 'two VFs with -GroupBy Vf'; Root = 'Lab'; Export = { Get-SriovVf eth0 -Index 1, 2 | Export-SriovConfig -Format DevicePlugin -GroupBy Vf @args }; Made = '2 (sriov_eth0_vf1, sriov_eth0_vf2)' }
            @{ Case = 'two PFs'; Root = 'I350'; Export = { Export-SriovConfig -Format SriovNetworkNodePolicy -PfName eno49, eno50 -NodeSelector @{ zone = 'a' } @args }; Made = '2 (sriov_eno49_netdevice, sriov_eno50_netdevice)' }
        ) {
            $env:SRIOVPS_HOST_ROOT = Get-Variable -Scope Script -Name $Root -ValueOnly

            $output = . $Export -ResourceName pool -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = . $Export -ResourceName pool -Path $script:File -ErrorVariable +errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 2
            foreach ($record in $errors) {
                $record.FullyQualifiedErrorId | Should -Be "InvalidExportArgument,$script:Command"
                $record.Exception.Message | Should -BeLike "-ResourceName 'pool' is not valid: it names one resource, and these VFs make $Made*Nothing was written."
            }
            [System.IO.File]::Exists($script:File) | Should -BeFalse
        }

        It 'gives the driver kinds as the reason only when the VFs'' drivers differ: <Case>' -ForEach @(
            @{ Case = 'two igbvf VFs with -GroupBy Vf'; Root = 'Lab'; Export = { Get-SriovVf eth0 -Index 1, 2 | Export-SriovConfig -Format DevicePlugin -GroupBy Vf -ResourceName pool @args } }
            @{ Case = 'the igbvf VFs of two PFs'; Root = 'I350'; Export = { Export-SriovConfig -Format DevicePlugin -PfName eno49, eno50 -ResourceName pool @args } }
        ) {
            $env:SRIOVPS_HOST_ROOT = Get-Variable -Scope Script -Name $Root -ValueOnly

            $null = . $Export -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidExportArgument,$script:Command"
            $errors[0].Exception.Message | Should -Not -BeLike '*since VFs on vfio-pci and on a network driver never share one*' -Because 'every VF here is on igbvf'
        }
    }

    Context '-NodeSelector' {
        It 'is the policies'' nodeSelector, with a value of $true written as the label value true' {
            $selector = @{ 'kubernetes.io/hostname' = 'node1'; 'feature.node.kubernetes.io/network-sriov.capable' = $true }

            $text = Export-SriovConfig -Format SriovNetworkNodePolicy -NodeSelector $selector -ErrorAction Stop

            foreach ($policy in ConvertFrom-TestYaml $text) {
                @($policy.spec.nodeSelector.PSObject.Properties.Name) | Should -Be @('feature.node.kubernetes.io/network-sriov.capable', 'kubernetes.io/hostname')
                $policy.spec.nodeSelector.'kubernetes.io/hostname' | Should -BeExactly 'node1'
                $policy.spec.nodeSelector.'feature.node.kubernetes.io/network-sriov.capable' | Should -BeExactly 'true'
            }
            $text | Should -Not -MatchExactly 'True'
        }
    }

    Context 'pipelines: objects bound by their properties, whatever their type' {
        It 'takes a PF as <Case>, exporting all its VFs as -PfName does' -ForEach @(
            @{ Case = 'Get-SriovPf'; Export = { Get-SriovPf eth0 | Export-SriovConfig -Format SriovNetworkNodePolicy -NodeSelector @{ zone = 'a' } @args } }
            @{ Case = 'its name as text'; Export = { 'eth0' | Export-SriovConfig -Format SriovNetworkNodePolicy -NodeSelector @{ zone = 'a' } @args } }
            @{ Case = 'Select-Object Name'; Export = { Get-SriovPf eth0 | Select-Object Name | Export-SriovConfig -Format SriovNetworkNodePolicy -NodeSelector @{ zone = 'a' } @args } }
            @{ Case = 'an object with Name'; Export = { [pscustomobject]@{ Name = 'eth0' } | Export-SriovConfig -Format SriovNetworkNodePolicy -NodeSelector @{ zone = 'a' } @args } }
            @{ Case = 'an object with PciAddress'; Export = { [pscustomobject]@{ PciAddress = '0000:01:00.0' } | Export-SriovConfig -Format SriovNetworkNodePolicy -NodeSelector @{ zone = 'a' } @args } }
            @{ Case = 'a deserialized PF, as remoting returns it from this host'; Export = { [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-SriovPf eth0))) | Export-SriovConfig -Format SriovNetworkNodePolicy -NodeSelector @{ zone = 'a' } @args } }
            @{ Case = '-Name, the alias of -PfName'; Export = { Export-SriovConfig -Format SriovNetworkNodePolicy -Name eth0 -NodeSelector @{ zone = 'a' } @args } }
        ) {
            $text = & $Export -ErrorAction Stop

            $text | Should -BeExactly (Export-SriovConfig -Format SriovNetworkNodePolicy -PfName eth0 -NodeSelector @{ zone = 'a' })
            (ConvertFrom-TestYaml $text).spec.nicSelector.pfNames | Should -Be @('eth0#1-6', 'eth0#0-0')
        }

        It 'takes VFs 1 and 2 as <Case>, exporting those VFs only' -ForEach @(
            @{ Case = 'Get-SriovVf'; Export = { Get-SriovVf eth0 -Index 1, 2 | Export-SriovConfig -Format DevicePlugin @args } }
            @{ Case = 'Select-Object PfName, Index'; Export = { Get-SriovVf eth0 -Index 1, 2 | Select-Object PfName, Index | Export-SriovConfig -Format DevicePlugin @args } }
            @{ Case = 'Select-Object PfPciAddress, Index'; Export = { Get-SriovVf eth0 -Index 1, 2 | Select-Object PfPciAddress, Index | Export-SriovConfig -Format DevicePlugin @args } }
            @{ Case = 'Import-Csv rows'; Export = {
                    Get-SriovVf eth0 -Index 1, 2 | Select-Object PfName, Index | Export-Csv -LiteralPath "$script:Dir/vfs.csv"
                    Import-Csv -LiteralPath "$script:Dir/vfs.csv" | Export-SriovConfig -Format DevicePlugin @args
                } }
            @{ Case = 'deserialized VFs, as remoting returns them from this host'; Export = { [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize(@(Get-SriovVf eth0 -Index 1, 2))) | Export-SriovConfig -Format DevicePlugin @args } }
            @{ Case = '-InputObject'; Export = { Export-SriovConfig -Format DevicePlugin -InputObject (Get-SriovVf eth0 -Index 1, 2) @args } }
        ) {
            $plugin = ConvertFrom-TestJson (& $Export -ErrorAction Stop)

            @($plugin.resourceList).Count | Should -Be 1
            $plugin.resourceList[0].resourceName | Should -Be 'sriov_eth0_netdevice'
            $plugin.resourceList[0].selectors[0].pfNames | Should -Be @('eth0#1-2')
        }

        It 'Get-SriovVf eth0 -Index 0 | Export-SriovConfig exports VF 0 only, and the policy keeps the PF''s numVfs' {
            $plugin = ConvertFrom-TestJson (Get-SriovVf eth0 -Index 0 | Export-SriovConfig -Format DevicePlugin -ErrorAction Stop)
            $policies = @(ConvertFrom-TestYaml (Get-SriovVf eth0 -Index 0 | Export-SriovConfig -Format SriovNetworkNodePolicy -ErrorAction Stop))

            $plugin.resourceList.resourceName | Should -Be 'sriov_eth0_vfio'
            $plugin.resourceList[0].selectors[0].pfNames | Should -Be @('eth0#0')
            $policies.Count | Should -Be 1
            $policies[0].spec.nicSelector.pfNames | Should -Be @('eth0#0-0')
            $policies[0].spec.numVfs | Should -Be 7
        }

        It 'refuses a VF from another computer (its PSComputerName) as ObjectFromOtherHost, <How>, and exports the others' -ForEach @(
            @{ How = 'piped'; Export = { param($objects) $objects | Export-SriovConfig -Format DevicePlugin @args } }
            @{ How = 'given as -InputObject'; Export = { param($objects) Export-SriovConfig -Format DevicePlugin -InputObject $objects @args } }
        ) {
            $there = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-SriovVf eth0 -Index 2)))
            $there | Add-Member -NotePropertyName PSComputerName -NotePropertyValue 'kvm2'
            $live = Get-SriovVf eth0 -Index 3
            $live | Add-Member -NotePropertyName PSComputerName -NotePropertyValue 'kvm2'
            $made = [pscustomobject]@{ PfName = 'eth0'; Index = 4; PSComputerName = 'kvm2' }

            $text = . $Export @((Get-SriovVf eth0 -Index 1), $there, $live, $made) -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 3
            foreach ($record in $errors) {
                $record.FullyQualifiedErrorId | Should -Be "ObjectFromOtherHost,$script:Command"
                $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
                $record.Exception.Message | Should -BeLike "*'kvm2' (its PSComputerName)*"
            }
            (ConvertFrom-TestJson $text).resourceList.selectors.pfNames | Should -Be @('eth0#1')
        }

        It 'refuses an object that names no PF or VF as InvalidExportArgument, and exports the others' {
            $text = [pscustomobject]@{ Interface = 'eth0' }, (Get-SriovVf eth0 -Index 1) | Export-SriovConfig -Format DevicePlugin -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidExportArgument,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $errors[0].Exception.Message | Should -BeLike '*it names no PF or VF*'
            (ConvertFrom-TestJson $text).resourceList.selectors.pfNames | Should -Be @('eth0#1')
        }
    }

    Context 'nothing to export' {
        It 'LibvirtNetwork of VF indexes the PF lacks: SriovVfNotFound for each, then NothingToExport, as no network of no VF is written' {
            $output = [pscustomobject]@{ PfName = 'eth0'; Index = 9 } | Export-SriovConfig -Format LibvirtNetwork -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.FullyQualifiedErrorId | Should -Be @("SriovVfNotFound,$script:Command", "NothingToExport,$script:Command")
            $errors[1].Exception.Message | Should -Be "There is nothing to export: the network 'eth0-sr-iov' would list no VF."
        }

        It 'DevicePlugin of VF indexes the PF lacks: "none of the VFs given is on the host", and no warning that the PF has no VFs' {
            $output = [pscustomobject]@{ PfName = 'eth0'; Index = 9 } | Export-SriovConfig -Format DevicePlugin -ErrorVariable errors -WarningVariable warnings -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.FullyQualifiedErrorId | Should -Be @("SriovVfNotFound,$script:Command", "NothingToExport,$script:Command")
            $errors[1].Exception.Message | Should -Be 'There is nothing to export: none of the VFs given is on the host.'
            @($warnings.Message) -like '*has no VFs*' | Should -BeNullOrEmpty
        }

        It 'DevicePlugin of a named PF without VFs warns that it has none, and does not say VFs were given' {
            $output = Export-SriovConfig -Format DevicePlugin -PfName eth1 -ErrorVariable errors -WarningVariable warnings -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            @(@($warnings.Message) -like 'eth1 has no VFs, so nothing is exported for it.*').Count | Should -Be 1
            $errors.FullyQualifiedErrorId | Should -Be "NothingToExport,$script:Command"
            $errors[0].Exception.Message | Should -Not -BeLike '*VFs given*' -Because 'eth1 was named, and no VF was given'
        }

        It '<Format> on a host whose one PF has no VFs: "<Message>"' -ForEach @(
            @{ Format = 'Nmstate'; Message = 'no SR-IOV PF here has VFs; name a PF with -PfName to export it without them' }
            @{ Format = 'LibvirtNetwork'; Message = 'no SR-IOV PF here has VFs; name a PF with -PfName to export it without them' }
            @{ Format = 'DevicePlugin'; Message = 'no PF here has VFs' }
        ) {
            $root = New-SriovTestHost -Fixture 'e810-nodriver'
            try {
                $output = Export-SriovConfig -Format $Format -HostRoot $root -ErrorVariable errors -ErrorAction SilentlyContinue
            }
            finally {
                Remove-SriovTestHost $root
            }

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "NothingToExport,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errors[0].Exception.Message | Should -Be "There is nothing to export: $Message."
        }
    }

    Context '-Path' {
        It 'writes the text the pipeline gets, to a path relative to the current location, and outputs nothing' {
            $text = Export-SriovConfig -Format DevicePlugin -ErrorAction Stop

            Push-Location $script:Dir
            try {
                $output = Export-SriovConfig -Format DevicePlugin -Path ./config.json -ErrorAction Stop
            }
            finally {
                Pop-Location
            }

            $output | Should -BeNullOrEmpty
            [System.IO.File]::ReadAllText($script:File) | Should -BeExactly $text
            [System.IO.Directory]::GetFiles($script:Dir) | Should -Be @($script:File)
        }

        It 'refuses a file whose directory does not exist as InvalidExportArgument, and creates no directory, as Out-File does' {
            $file = Join-Path $script:Dir 'missing/config.json'

            $output = Export-SriovConfig -Format DevicePlugin -Path $file -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidExportArgument,$script:Command"
            $errors[0].Exception.Message | Should -Be "-Path '$file' is not valid: its directory does not exist. Nothing was written."
            [System.IO.Directory]::Exists((Join-Path $script:Dir 'missing')) | Should -BeFalse
        }

        It '-WhatIf writes nothing and says what it would write' {
            $whatIf = Get-SriovTestWhatIf { Export-SriovConfig -Format DevicePlugin -Path $script:File -WhatIf -ErrorAction Stop }

            $whatIf.Count | Should -Be 1
            $whatIf[0] | Should -BeLike "*write the DevicePlugin configuration*sriov_eth0_netdevice*on target `"$script:File`"."
            [System.IO.Directory]::GetFiles($script:Dir) | Should -BeNullOrEmpty
        }

        It 'leaves a file that already holds the text as it is: same bytes, same time, no backup' {
            Export-SriovConfig -Format DevicePlugin -Path $script:File -ErrorAction Stop
            $bytes = [System.IO.File]::ReadAllBytes($script:File)
            $stamp = [datetime]::new(2020, 1, 2, 3, 4, 5, [DateTimeKind]::Utc)
            [System.IO.File]::SetLastWriteTimeUtc($script:File, $stamp)

            Export-SriovConfig -Format DevicePlugin -Path $script:File -Verbose -ErrorAction Stop 4>&1 |
                ForEach-Object Message | Should -Contain "$script:File already holds this DevicePlugin configuration; it was left as it is."

            [System.IO.File]::GetLastWriteTimeUtc($script:File) | Should -Be $stamp
            [System.IO.File]::ReadAllBytes($script:File) | Should -Be $bytes
            [System.IO.File]::Exists("$script:File.sriovps.bak") | Should -BeFalse
        }

        It 'keeps the previous file as NAME.sriovps.bak when the text changes' {
            Export-SriovConfig -Format DevicePlugin -Path $script:File -ErrorAction Stop
            $before = [System.IO.File]::ReadAllText($script:File)

            Export-SriovConfig -Format DevicePlugin -ResourcePrefix example.org -Path $script:File -ErrorAction Stop

            [System.IO.File]::ReadAllText("$script:File.sriovps.bak") | Should -BeExactly $before
            [System.IO.File]::ReadAllText($script:File) | Should -BeExactly (Export-SriovConfig -Format DevicePlugin -ResourcePrefix example.org)
        }

        It 'refuses LibvirtNetwork over several PFs, which make several networks, and writes nothing; -NetworkName makes one' {
            $env:SRIOVPS_HOST_ROOT = $script:I350
            $file = Join-Path $script:Dir 'pool.xml'

            $output = Export-SriovConfig -Format LibvirtNetwork -PfName eno49, eno50 -Path $file -ErrorVariable errors -ErrorAction SilentlyContinue
            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidExportArgument,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $errors[0].Exception.Message | Should -BeLike '*2 libvirt networks (eno49-sr-iov, eno50-sr-iov)*Nothing was written.'
            [System.IO.File]::Exists($file) | Should -BeFalse

            Export-SriovConfig -Format LibvirtNetwork -PfName eno49, eno50 -NetworkName i350-pool -Path $file -ErrorAction Stop
            $network = ([xml] [System.IO.File]::ReadAllText($file)).network
            $network.name | Should -Be 'i350-pool'
            @($network.forward.address).Count | Should -Be 14
        }
    }
}
