using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Threading;
using SriovPS.Native.Netlink;
using Xunit;

namespace SriovPS.Tests.Netlink;

/// <summary>
/// Hostile input: 100,000 buffers made from real and golden messages by random bytes, truncation,
/// corrupted lengths and flipped bits. The decoder may succeed or throw its own
/// <see cref="NetlinkDecodeException"/>; anything else, or a decode that does not end, fails.
/// </summary>
public sealed class CodecRobustnessTests
{
    private const int Iterations = 100_000;

    [Fact]
    public void Decode_100000HostileBuffers_OnlyEverThrowsNetlinkDecodeException()
    {
        var seeds = new List<byte[]>
        {
            Hex.Bytes(LinkMessageGoldenTests.Eno49),
            KernelCaptureTests.Capture("igb"),
            KernelCaptureTests.Capture("igb-stats"),
            KernelCaptureTests.Capture("netdevsim"),
            KernelCaptureTests.Capture("netdevsim-stats"),
        };
        var large = KernelCaptureTests.Capture("netdevsim-256-stats");
        var random = new Random(20261122);
        int decoded = 0, refused = 0;
        var unexpected = new List<string>();

        RunWithDeadline(TimeSpan.FromMinutes(3), () =>
        {
            for (int i = 0; i < Iterations; i++)
            {
                // The 77 KB overflowed reply now and then: it reaches the truncation path.
                var seed = i % 500 == 0 ? large : seeds[random.Next(seeds.Count)];
                var buffer = Mutate(seed, random, i % 4);
                try
                {
                    LinkMessage.Decode(buffer);
                    decoded++;
                }
                catch (NetlinkDecodeException)
                {
                    refused++;
                }
                catch (Exception e)
                {
                    if (unexpected.Count < 5)
                    {
                        unexpected.Add($"iteration {i}: {e.GetType().Name}: {e.Message} — {Hex.Of(buffer.AsSpan(0, Math.Min(buffer.Length, 96)))}");
                    }
                }
            }
        });

        Assert.Empty(unexpected);
        Assert.Equal(Iterations, decoded + refused);

        // Both outcomes must be common, or the mutations are not reaching the parser.
        Assert.True(decoded > Iterations / 20, $"only {decoded} buffers decoded");
        Assert.True(refused > Iterations / 20, $"only {refused} buffers refused");
    }

    [Fact]
    public void ErrorReplies_HostileBuffers_OnlyEverThrowNetlinkExceptions()
    {
        var random = new Random(7);
        var unexpected = new List<string>();
        RunWithDeadline(TimeSpan.FromMinutes(1), () =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                var buffer = new byte[16 + random.Next(0, 96)];
                random.NextBytes(buffer);
                BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(4), NetlinkProtocol.NLMSG_ERROR);
                ushort flags = (ushort)(random.Next(4) << 8);
                try
                {
                    NetlinkSocket.ThrowIfError(buffer, flags, "RTM_SETLINK");
                }
                catch (Exception e) when (e is NetlinkException or NetlinkDecodeException)
                {
                }
                catch (Exception e)
                {
                    if (unexpected.Count < 5)
                    {
                        unexpected.Add($"{e.GetType().Name}: {e.Message} — {Hex.Of(buffer)}");
                    }
                }
            }
        });

        Assert.Empty(unexpected);
    }

    private static byte[] Mutate(byte[] seed, Random random, int kind)
    {
        switch (kind)
        {
            case 0:
            {
                // Random bytes behind a plausible header, so the attribute walk is reached.
                var buffer = new byte[32 + random.Next(0, 480)];
                random.NextBytes(buffer);
                BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)buffer.Length);
                BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(4), RtNetlink.RTM_NEWLINK);
                if (random.Next(8) == 0)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)random.Next());
                }

                return buffer;
            }

            case 1:
            {
                // Cut anywhere; usually with nlmsg_len cut to match, as a short read would not be.
                var buffer = seed.AsSpan(0, random.Next(0, seed.Length)).ToArray();
                if (buffer.Length >= 4 && random.Next(4) != 0)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)buffer.Length);
                }

                return buffer;
            }

            case 2:
            {
                // Overwrite an attribute-aligned 16-bit length with a near miss or a wild value.
                var buffer = (byte[])seed.Clone();
                int corruptions = 1 + random.Next(3);
                for (int c = 0; c < corruptions; c++)
                {
                    int offset = 32 + (random.Next(0, (buffer.Length - 34) / 4) * 4);
                    ushort old = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(offset));
                    ushort value = random.Next(3) switch
                    {
                        0 => (ushort)(old + random.Next(-8, 9)),
                        1 => (ushort)random.Next(0, 8),
                        _ => (ushort)random.Next(0, 65536),
                    };
                    BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(offset), value);
                }

                return buffer;
            }

            default:
            {
                var buffer = (byte[])seed.Clone();
                int flips = 1 + random.Next(8);
                for (int f = 0; f < flips; f++)
                {
                    buffer[random.Next(buffer.Length)] ^= (byte)(1 << random.Next(8));
                }

                return buffer;
            }
        }
    }

    /// <summary>Runs <paramref name="body"/> on its own thread and fails if it has not ended in time: a hang is a failure, not a stuck run.</summary>
    private static void RunWithDeadline(TimeSpan deadline, Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(deadline), $"the decoder did not finish within {deadline}");
        Assert.Null(failure);
    }
}
