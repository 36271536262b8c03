"""Chapter 2 (non-linear activations): check yourself."""

from ..display.quiz import MultipleChoice, Numeric, Option

QUESTIONS = {
    "collapsed-shape": MultipleChoice(
        "A network <code>Linear(3, 5)</code>, <code>Linear(5, 4)</code>, <code>Linear(4, 2)</code> has no "
        "activations. What is the shape of the weight matrix of the single equivalent layer?",
        [Option("(3, 2)", why="That is (inputs, outputs); a weight matrix is (outputs, inputs), like "
                              "<code>Linear.weight</code>."),
         Option("(2, 3)", correct=True),
         Option("(5, 4)", why="That is the middle layer; the equivalent layer maps the 3 inputs to the 2 outputs."),
         Option("There is none: the layers have different widths",
                why=r"The product \(W_3 W_2 W_1\) exists whenever neighbouring widths match, and here they do.")],
        explain=r"\(W = W_3 W_2 W_1\) has shape (2, 4)(4, 5)(5, 3) = (2, 3): outputs by inputs, like "
                "<code>Linear(3, 2).weight</code>.",
    ),
    "composed-slope": Numeric(
        r"Two layers: \(z_1 = 2x + 1\) and \(z_2 = -3 z_1 + 4\). The composition is \(z_2 = a x + c\). What is \(a\)?",
        -6,
        mistakes={1: r"That is \(c\), the bias of the composition. The question asks for the slope \(a\).",
                  -3: r"\(-3\) is the slope of the second layer alone; the slopes of the two layers multiply.",
                  2: r"\(2\) is the slope of the first layer alone; the slopes of the two layers multiply."},
        explain=r"\(z_2 = -3(2x + 1) + 4 = -6x + 1\): the slopes multiply, and the bias is \(-3 \cdot 1 + 4 = 1\).",
    ),
    "linear-activation": MultipleChoice(
        r"Which activation \(g\) leaves a deep network equivalent to a single linear layer?",
        [Option(r"\(g(t) = \tanh t\)", label="g of t equals tanh of t",
                why=r"\(\tanh\) bends: it is not linear, so layers with it do not collapse into one."),
         Option(r"\(g(t) = \max(0, t)\)", label="g of t equals the maximum of 0 and t",
                why="ReLU is linear on each side of 0 but not linear overall: its kink is enough to make depth "
                    "matter."),
         Option(r"\(g(t) = 3t\)", correct=True, label="g of t equals 3 t"),
         Option(r"\(g(t) = 1/(1 + e^{-t})\)", label="g of t equals 1 over 1 plus e to the minus t",
                why="The sigmoid bends: it is not linear, so layers with it do not collapse into one.")],
        explain=r"\(g(t) = 3t\) is linear, so it only multiplies the next weight matrix by 3. The other three are non-linear.",
    ),
}

QUESTIONS["before-the-count"] = MultipleChoice(
    "Before you count: take random ReLU networks with one input and one output and 32 hidden units in "
    "all, initialised as <code>nn.Linear</code> does. Along the segment [-3, 3], which has more linear "
    "pieces on average: one hidden layer of 32 units, or four hidden layers of 8?",
    [Option("Four layers of 8, many times more: depth multiplies the pieces",
            why="Depth <em>can</em> multiply them (the sawtooth below doubles them with every layer), but "
                "only with weights chosen for it. Random weights do not line the pieces up like that."),
     Option("About the same; the single layer of 32 even a few more", correct=True),
     Option("One layer of 32, many times more: deep networks have fewer pieces",
            why="Every unit of a deep layer can add breakpoints too; the counts end up of the same size."),
     Option("Both have exactly 33 pieces",
            why="33 is the most one layer of 32 can make (one bend per unit). A random unit may bend outside "
                "[-3, 3], and units of later layers may bend several times or not at all.")],
    explain="Measured below: about 28 pieces for one layer of 32 and about 21 for four layers of 8, averaged "
            "over five seeds. For random networks the count grows with the number of units, not "
            "exponentially with depth (Hanin and Rolnick, 2019).",
)

QUESTIONS["one-layer-pieces"] = Numeric(
    r"A ReLU network with one input, one hidden layer of 8 units and one output is linear piece by piece "
    r"on the real line. At most how many linear pieces can it have?",
    9,
    mistakes={8: "Each unit bends the function at one point: 8 bends cut the line into one more piece than "
                 "there are bends.",
              16: "One hidden layer adds its units' bends; it does not double them. Doubling needs another layer.",
              256: r"\(2^8\) would need 8 layers of the sawtooth kind; one layer only adds one bend per unit."},
    explain=r"Unit \(i\) bends where \(w_i x + b_i = 0\), at one point. 8 points cut the line into at most 9 "
            "pieces.",
)

QUIZZES = {"check-yourself": ["collapsed-shape", "composed-slope", "linear-activation", "one-layer-pieces"],
           "before-the-count": ["before-the-count"]}
