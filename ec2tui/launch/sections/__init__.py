"""One module per section of the launch form, in the order the form shows them."""
