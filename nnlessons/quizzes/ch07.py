"""Chapter 7 (handwritten digits): a prediction before the standardisation experiment, and check yourself."""

from ..display.quiz import MultipleChoice, Numeric, Option

QUESTIONS = {
    "before-standardising": MultipleChoice(
        "Before you run the comparison: softmax regression is trained with the same recipe once on the raw "
        r"pixels (all in \([0, 1]\), most of them near 0) and once on standardised pixels. How does the epoch "
        "that early stopping keeps on the raw pixels compare with the standardised run?",
        [Option("Earlier: the raw pixels are small, so every step is small and safe.",
                why="Small, all-positive inputs make the loss surface a long narrow valley (chapter 3): the "
                    "steps that are safe across it are tiny along it, so progress is slow, not early."),
         Option("About the same: standardising only rescales the inputs, and the weights can absorb any scale.",
                why="The best weights can absorb it, but gradient descent's path cannot: the scaling changes "
                    "the shape of the loss surface and so how fast the same learning rate gets anywhere."),
         Option("Later: on the raw pixels gradient descent needs more epochs to reach its best.", correct=True)],
        explain="Chapter 3 showed all-positive inputs forcing gradient descent into a zig-zag along a narrow "
                "valley, and centred inputs removing it. Here softmax regression kept an epoch about twice as "
                "late on the raw pixels (five seeds), and about four times as late on a second split.",
    ),
    "kept-weights": MultipleChoice(
        "Early stopping with patience 20 ends training after epoch 54. Whose weights does the model keep?",
        [Option("Those after epoch 54, the last one trained.",
                why="The last 20 epochs brought no improvement; the rule goes back to the best epoch."),
         Option("Those of the epoch with the best validation accuracy, here epoch 34.", correct=True),
         Option("Those of the epoch with the lowest training loss.",
                why="Early stopping watches the validation accuracy; the training loss keeps falling."),
         Option("Those of the epoch with the best test accuracy.",
                why="Training never looks at the test set; choosing by it would spoil it.")],
        explain="The rule stops 20 epochs after the last strict improvement of the validation accuracy and "
                "restores the weights of that best epoch; it never looks at the test set.",
    ),
    "accuracy": Numeric(
        "A confusion matrix of 359 validation images has 345 on its diagonal. What is the accuracy?",
        345 / 359, decimals=3, shown="0.961 (345/359)",
        mistakes={14 / 359: "That is the error rate, the share of images off the diagonal."},
        explain="Accuracy = trace / total = 345/359 = 0.9610.",
    ),
    "why-not-test": MultipleChoice(
        "Why compare the models over five seeds on the validation set rather than on the test set?",
        [Option("The test set is too small.",
                why="Size is not the point: choosing by the test set makes its accuracy optimistic, "
                    "however large it is."),
         Option("Then the test accuracy would have been used to choose the model and would no longer be an honest "
                "estimate for new images.", correct=True),
         Option("Test accuracy cannot be computed during training.",
                why="It can, as cheaply as the validation accuracy. The reason is what using it would do."),
         Option("The validation set is easier, so the differences show more clearly.",
                why="Both are random 20 % of the same images; here the test set even scored higher. "
                    "The reason is the honesty of the final estimate.")],
        explain="Every choice made by looking at a data set fits the model a little to that set. The test set "
                "stays untouched until the end so that its accuracy still measures performance on unseen data.",
    ),
}

QUIZZES = {
    "before-standardising": ["before-standardising"],
    "check-yourself": ["kept-weights", "accuracy", "why-not-test"],
}
