// Every native entry point and SafeHandle needs these.
global using System;
global using System.Runtime.InteropServices;
