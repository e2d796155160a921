// What nearly every cmdlet uses; each file's own usings then name the capabilities it works with.
global using System;
global using System.Collections.Generic;
global using System.Linq;
global using System.Management.Automation;
global using SriovPS.Errors;
