using Transport.Grains.Interfaces;

namespace Transport.Grains.Tests.Hostile;

/// <summary>
/// One malformed request made through the grain API and the refusal it must meet: a <see cref="JobInputException"/>
/// whose field is <see cref="Field"/> (and whose message starts with it), an argument exception naming the parameter
/// <see cref="Field"/>, or an <see cref="InvalidOperationException"/> (a call the job's state does not allow) whose
/// message says <see cref="Field"/>.
/// </summary>
/// <param name="Name">What is malformed, unique in the table.</param>
/// <param name="Exception">The exception type the call must raise.</param>
/// <param name="Field">The field, parameter or state the refusal must name.</param>
/// <param name="Call">The call, with whatever jobs it needs taken from the context.</param>
internal sealed record HostileGrainCall(string Name, Type Exception, string Field, Func<HostileGrainContext, Task> Call)
{
    public override string ToString() => Name;

    /// <summary>Makes the call; returns what it raised (null when it was accepted).</summary>
    public async Task<Exception?> TryAsync(HostileGrainContext context)
    {
        try
        {
            await Call(context);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    /// <summary>Asserts that <paramref name="raised"/> is the refusal this call must meet.</summary>
    public void AssertRefused(Exception? raised)
    {
        Assert.True(raised is not null, $"{Name}: accepted, expected {Exception.Name} naming '{Field}'");
        Assert.True(raised.GetType() == Exception, $"{Name}: raised {raised.GetType().Name} ({raised.Message}), expected {Exception.Name} naming '{Field}'");
        switch (raised)
        {
            case JobInputException input:
                Assert.True(input.Field == Field, $"{Name}: field '{input.Field}' ({input.Message}), expected '{Field}'");
                Assert.StartsWith($"{Field}: ", input.Message, StringComparison.Ordinal);
                break;
            case ArgumentException argument:
                // The parameter's name crosses the wire inside the message only.
                Assert.True(argument.Message.Contains($"(Parameter '{Field}')", StringComparison.Ordinal), $"{Name}: {argument.Message} does not name the parameter '{Field}'");
                break;
            default:
                Assert.True(raised.Message.Contains(Field, StringComparison.Ordinal), $"{Name}: {raised.Message} does not say '{Field}'");
                break;
        }

        Assert.DoesNotContain(" at Transport.", raised.Message, StringComparison.Ordinal);
    }
}
