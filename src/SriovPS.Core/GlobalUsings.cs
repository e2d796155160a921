// What nearly every part of the domain uses; each file's own usings then name the capabilities it works with.
global using System;
global using System.Collections.Generic;
global using System.Globalization;
global using System.Linq;
global using SriovPS.Errors;
global using SriovPS.Hosting;
