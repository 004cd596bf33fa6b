// Bicep twin of pass.json (scripts/arm2bicep.py)
param location string = resourceGroup().location
param gatewayName string = 'agw-demo'
param listenerName string = 'listener-http'
param settingsName string
var gatewayId = resourceId('Microsoft.Network/applicationGateways', gatewayName)

resource virtualNetworks 'Microsoft.Network/virtualNetworks@2023-09-01' = {
  name: 'vnet-agw'
  location: location
  properties: {
    addressSpace: {
      addressPrefixes: [
        '10.10.0.0/16'
      ]
    }
    subnets: [
      {
        name: 'snet-agw'
        properties: {
          addressPrefix: '10.10.0.0/24'
        }
      }
    ]
  }
}

resource publicIPAddresses 'Microsoft.Network/publicIPAddresses@2023-09-01' = {
  name: 'pip-agw'
  location: location
  sku: {
    name: 'Standard'
  }
  properties: {
    publicIPAllocationMethod: 'Static'
  }
}

resource applicationGateways 'Microsoft.Network/applicationGateways@2023-09-01' = {
  name: gatewayName
  location: location
  properties: {
    sku: {
      name: 'Standard_v2'
      tier: 'Standard_v2'
      capacity: 2
    }
    gatewayIPConfigurations: [
      {
        name: 'gw-ip'
        properties: {
          subnet: {
            id: resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-agw', 'snet-agw')
          }
        }
      }
    ]
    frontendIPConfigurations: [
      {
        name: 'fe-public'
        properties: {
          publicIPAddress: {
            id: resourceId('Microsoft.Network/publicIPAddresses', 'pip-agw')
          }
        }
      }
    ]
    frontendPorts: [
      {
        name: 'port-80'
        properties: {
          port: 80
        }
      }
    ]
    backendAddressPools: [
      {
        name: 'pool-1'
        properties: {
          backendAddresses: [
            {
              ipAddress: '10.20.0.4'
            }
          ]
        }
      }
    ]
    backendHttpSettingsCollection: [
      {
        name: 'settings-1'
        properties: {
          port: 80
          protocol: 'Http'
          cookieBasedAffinity: 'Disabled'
          requestTimeout: 30
        }
      }
    ]
    httpListeners: [
      {
        name: listenerName
        properties: {
          frontendIPConfiguration: {
            id: resourceId('Microsoft.Network/applicationGateways/frontendIPConfigurations', gatewayName, 'fe-public')
          }
          frontendPort: {
            id: resourceId('Microsoft.Network/applicationGateways/frontendPorts', gatewayName, 'port-80')
          }
          protocol: 'Http'
        }
      }
    ]
    requestRoutingRules: [
      {
        name: 'rule-1'
        properties: {
          RuleType: 'Basic'
          priority: 100
          httpListener: {
            id: concat(gatewayId, '/httpListeners/', listenerName)
          }
          backendAddressPool: {
            id: format('{0}/backendAddressPools/{1}', gatewayId, 'pool-1')
          }
          backendHttpSettings: {
            id: resourceId('Microsoft.Network/applicationGateways/backendHttpSettingsCollection', gatewayName, settingsName)
          }
        }
      }
    ]
  }
}
