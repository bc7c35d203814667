import "dotnet"
rule r { condition: dotnet.is_dotnet and for any g in dotnet.guids : (g == "x") and dotnet.assembly.version.major == 1 }
