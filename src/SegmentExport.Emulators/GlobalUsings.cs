global using System.Collections.Concurrent;
global using System.Text.Json;
global using Microsoft.Extensions.Options;
