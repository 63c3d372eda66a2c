"""Text shared by the benchmark generators (`secrets.py`, `history.py`): code-like lines
and random fillers from which fake credentials are built at generation time.
"""

WORDS = ("config server client request response handler value index buffer stream "
         "token_count user account deploy service cluster namespace policy version "
         "return import export function const let if else for while match struct impl").split()
ALNUM = "AbCdEfGhJkMnPqRsTuVwXyZ23456789aBcDeFgHjKmNpQrStUvWxYz"
B32 = "ABCDEFGHJKMNPQRSTUVWXYZ234567"


def filler(rng, n, alphabet):
    return "".join(rng.choice(alphabet) for _ in range(n))


def line(rng):
    shape = rng.randrange(4)
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 12)))
    if shape == 0:
        return f"    let {rng.choice(WORDS)} = {rng.choice(WORDS)}({words});"
    if shape == 1:
        return f"{rng.choice(WORDS)}: {words}"
    if shape == 2:
        return f"# {words}"
    return f"    {rng.choice(WORDS)}_{rng.randrange(1000)} = \"{words}\""
