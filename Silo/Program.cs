using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Transport.Silo;

// A standalone silo: `dotnet run --project Silo -- --Transport:SiloPort=11112 --Transport:GatewayPort=30001`.
var builder = Host.CreateApplicationBuilder(args);
var options = builder.Configuration.GetSection(TransportSiloOptions.Section).Get<TransportSiloOptions>() ?? new TransportSiloOptions();
builder.UseOrleans(silo => silo.AddTransportSilo(options));
using var host = builder.Build();
await host.RunAsync();
