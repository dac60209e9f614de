"""``ec2tui pick``: choose AMIs, instances, addresses, subnets, security groups or key pairs for a shell pipeline.

The picker draws on the terminal (``/dev/tty``) so that stdout holds only the chosen value(s):
``aws ec2 run-instances --image-id "$(ec2tui pick ami)"``. ``kinds`` says what each kind lists and prints (no
Textual), ``app`` is the Textual picker (it reaches AWS only through the gateway it is given), ``terminal`` lends
the UI the terminal, ``command`` is the command line that wires them up.
"""
