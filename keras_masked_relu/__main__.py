"""`python -m keras_masked_relu`: the `keras-masked-relu` command line."""

import sys

from keras_masked_relu_cli import main

if __name__ == "__main__":
    sys.exit(main())
