# A host whose VFs all go to guests through vfio-pci: every igb port with 7 VFs, none of them left to
# igbvf, kept so across reboots, with the IOMMU and vfio set up at boot. For
# Import-PowerShellDataFile docs/examples/vfio-host.psd1 | Set-SriovConfiguration -WhatIf
@{
    pfs  = @(
        @{
            match   = @{ driver = 'igb' }
            numVfs  = 7
            persist = $true
            vfs     = @(
                @{ index = '0-6'; driver = 'vfio-pci' }
            )
        }
    )
    boot = @{ iommu = $true; vfioModules = $true }
}
