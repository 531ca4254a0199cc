using Transport.Silo;

// A standalone silo: `dotnet run --project Silo -- --Transport:SiloPort=11112 --Transport:GatewayPort=30001`.
// Settings come from appsettings.json, Transport__* environment variables and --Transport:* arguments. A setting
// that cannot work is one line on stderr naming it and exit code 2; a failure while starting is one line and exit 1.
return await SiloProgram.RunAsync(args);
