"""World-model mode's Qt view (`WorldView`), over the Qt-free `app.world_mode` controller."""
